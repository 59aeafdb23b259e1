"""Composition root: Dishka providers for the Spell Checker's worker process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import aiohttp
from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from common_core.enums import Language
from huleedu_service_libs.clients import ContentServiceClient
from huleedu_service_libs.consumer import EventFactory, StepRunner
from huleedu_service_libs.db import make_session_factory
from huleedu_service_libs.inbox import InboxReader
from spellchecker_service.adapters import metrics
from spellchecker_service.adapters.checker_pool import LogSetup, ProcessPoolTextChecker
from spellchecker_service.adapters.content_client import ContentServiceStore
from spellchecker_service.adapters.english_checker import EnglishChecker
from spellchecker_service.adapters.swedish_checker import SwedishChecker
from spellchecker_service.adapters.text_checker import (
    CheckerLoader,
    DictionaryTextChecker,
    LoadableTextChecker,
)
from spellchecker_service.adapters.unit_of_work import SqlAlchemyUnitOfWork
from spellchecker_service.config import SpellcheckerSettings
from spellchecker_service.domain.ports import ContentStore, TextChecker
from spellchecker_service.domain.spellcheck import SpellcheckEssay

CONSUMER_NAME = "spellchecker_service.spellcheck_requests"


def make_erasure_runner(
    settings: SpellcheckerSettings, engine: AsyncEngine
) -> StepRunner[SqlAlchemyUnitOfWork, EventFactory]:
    """The erasure consumer's runner, under the service's own inbox name (not the requests')."""
    sessions = make_session_factory(engine)
    return StepRunner(
        lambda: SqlAlchemyUnitOfWork(sessions),
        consumer=settings.service_name,
        source_service=settings.service_name,
        events=EventFactory,
    )


def checker_loaders(settings: SpellcheckerSettings) -> dict[Language, CheckerLoader]:
    """How each language's checker is built from the settings (nothing is loaded yet).

    Partials, not lambdas: the checker processes receive them by pickle.
    """
    cache_dir = Path(settings.dictionary_cache_dir)
    return {
        Language.ENGLISH: partial(EnglishChecker.load, list(settings.english_dictionary_paths)),
        Language.SWEDISH: partial(SwedishChecker.load, settings.swedish_dictionary_path, cache_dir),
    }


def make_text_checker(settings: SpellcheckerSettings) -> LoadableTextChecker:
    """English and Swedish checkers (the worker preloads both): in this process's threads,
    or in `worker_processes` processes of their own when that is more than one."""
    loaders = checker_loaders(settings)
    if settings.worker_processes <= 1:
        return DictionaryTextChecker(loaders, max_chars=settings.max_text_chars)
    return ProcessPoolTextChecker(
        loaders,
        max_chars=settings.max_text_chars,
        processes=settings.worker_processes,
        log=LogSetup(settings.service_name, settings.log_level, settings.json_logs),
    )


class SpellcheckerProvider(Provider):
    """Process-wide HTTP client and dictionaries; a use case per message."""

    def __init__(
        self, settings: SpellcheckerSettings, engine: AsyncEngine, checker: TextChecker
    ) -> None:
        super().__init__()
        self._settings = settings
        self._engine = engine
        self._checker = checker

    @provide(scope=Scope.APP)
    def settings(self) -> SpellcheckerSettings:
        """The validated settings."""
        return self._settings

    @provide(scope=Scope.APP)
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Session factory over the service's engine."""
        return make_session_factory(self._engine)

    @provide(scope=Scope.APP)
    async def http(self) -> AsyncIterator[aiohttp.ClientSession]:
        """One pooled HTTP client for the Content Service."""
        async with aiohttp.ClientSession() as session:
            yield session

    @provide(scope=Scope.APP)
    def content_store(
        self, http: aiohttp.ClientSession, settings: SpellcheckerSettings
    ) -> ContentStore:
        """The Content Service, through the shared client."""
        return ContentServiceStore(ContentServiceClient.from_settings(http, settings))

    @provide(scope=Scope.APP)
    def text_checker(self) -> TextChecker:
        """The dictionaries, loaded once per process."""
        return self._checker

    @provide(scope=Scope.REQUEST)
    def spellcheck_essay(
        self,
        settings: SpellcheckerSettings,
        sessions: async_sessionmaker[AsyncSession],
        content: ContentStore,
        checker: TextChecker,
    ) -> SpellcheckEssay:
        """The use case for one request event."""
        return SpellcheckEssay(
            content=content,
            checker=checker,
            inbox=InboxReader(self._engine),
            uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
            consumer=CONSUMER_NAME,
            source_service=settings.service_name,
            record=metrics.record,
        )


def make_container(
    settings: SpellcheckerSettings, engine: AsyncEngine, checker: TextChecker
) -> AsyncContainer:
    """The worker process's container."""
    return make_async_container(SpellcheckerProvider(settings, engine, checker))
