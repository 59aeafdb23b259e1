"""Composition root: Dishka providers for the Grammar Service's worker process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from grammar_service.adapters import metrics
from grammar_service.adapters.content_client import ContentServiceStore
from grammar_service.adapters.languagetool_client import LanguageToolChecker
from grammar_service.adapters.unit_of_work import SqlAlchemyUnitOfWork
from grammar_service.config import GrammarSettings
from grammar_service.domain.grammar_check import GrammarCheckEssay
from grammar_service.domain.ports import ContentStore, GrammarCheckRefused
from huleedu_service_libs.clients import ContentServiceClient
from huleedu_service_libs.consumer import EventFactory, StepRunner
from huleedu_service_libs.db import make_session_factory
from huleedu_service_libs.inbox import InboxReader
from huleedu_service_libs.resilience import AsyncCircuitBreaker

CONSUMER_NAME = "grammar_service.grammar_requests"


def make_erasure_runner(
    settings: GrammarSettings, engine: AsyncEngine
) -> StepRunner[SqlAlchemyUnitOfWork, EventFactory]:
    """The erasure consumer's runner, under the service's own inbox name (not the requests')."""
    sessions = make_session_factory(engine)
    return StepRunner(
        lambda: SqlAlchemyUnitOfWork(sessions),
        consumer=settings.service_name,
        source_service=settings.service_name,
        events=EventFactory,
    )


def make_languagetool_breaker(settings: GrammarSettings) -> AsyncCircuitBreaker:
    """The breaker in front of LanguageTool; a refused text is an answer, never a failure."""
    return AsyncCircuitBreaker(
        "grammar_to_languagetool",
        fail_max=settings.languagetool_breaker_fail_max,
        reset_timeout=settings.languagetool_breaker_reset_seconds,
        excluded_exceptions=(GrammarCheckRefused,),
        service=settings.service_name,
    )


class GrammarProvider(Provider):
    """Process-wide HTTP client and LanguageTool client; a use case per message."""

    def __init__(self, settings: GrammarSettings, engine: AsyncEngine) -> None:
        super().__init__()
        self._settings = settings
        self._engine = engine

    @provide(scope=Scope.APP)
    def settings(self) -> GrammarSettings:
        """The validated settings."""
        return self._settings

    @provide(scope=Scope.APP)
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Session factory over the service's engine."""
        return make_session_factory(self._engine)

    @provide(scope=Scope.APP)
    async def http(self) -> AsyncIterator[aiohttp.ClientSession]:
        """One pooled HTTP client for the Content Service and LanguageTool."""
        async with aiohttp.ClientSession() as session:
            yield session

    @provide(scope=Scope.APP)
    def content_store(self, http: aiohttp.ClientSession, settings: GrammarSettings) -> ContentStore:
        """The Content Service, through the shared client."""
        return ContentServiceStore(ContentServiceClient.from_settings(http, settings))

    @provide(scope=Scope.APP)
    def languagetool(
        self, http: aiohttp.ClientSession, settings: GrammarSettings
    ) -> LanguageToolChecker:
        """LanguageTool behind its circuit breaker (one per process)."""
        return LanguageToolChecker(
            http,
            base_url=settings.languagetool_url,
            timeout_seconds=settings.languagetool_timeout_seconds,
            breaker=make_languagetool_breaker(settings),
        )

    @provide(scope=Scope.REQUEST)
    def grammar_check_essay(
        self,
        settings: GrammarSettings,
        sessions: async_sessionmaker[AsyncSession],
        content: ContentStore,
        checker: LanguageToolChecker,
    ) -> GrammarCheckEssay:
        """The use case for one request event."""
        return GrammarCheckEssay(
            content=content,
            checker=checker,
            inbox=InboxReader(self._engine),
            uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
            consumer=CONSUMER_NAME,
            source_service=settings.service_name,
            max_chars=settings.max_text_chars,
            chunk_chars=settings.languagetool_chunk_chars,
            record=metrics.record,
        )


def make_container(settings: GrammarSettings, engine: AsyncEngine) -> AsyncContainer:
    """The worker process's container."""
    return make_async_container(GrammarProvider(settings, engine))
