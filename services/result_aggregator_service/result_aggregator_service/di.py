"""Composition root: Dishka providers for the Result Aggregator's processes."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from huleedu_service_libs.db import make_session_factory
from result_aggregator_service.adapters.bos_client import BosClient
from result_aggregator_service.adapters.content_store import ContentServiceTexts
from result_aggregator_service.adapters.http_session import LazyHttpSession
from result_aggregator_service.adapters.unit_of_work import SqlAlchemyUnitOfWork
from result_aggregator_service.config import ResultAggregatorSettings
from result_aggregator_service.domain.essay_texts import EssayTexts
from result_aggregator_service.domain.ports import BatchOrchestrator, TextStore, UnitOfWorkFactory
from result_aggregator_service.domain.queries import ResultQueries


def make_uow_factory(sessions: async_sessionmaker[AsyncSession]) -> UnitOfWorkFactory:
    """A fresh unit of work per call (one per handled event or query)."""
    return lambda: SqlAlchemyUnitOfWork(sessions)


def make_bos_client(http: LazyHttpSession, settings: ResultAggregatorSettings) -> BosClient:
    """The BOS client configured from settings."""
    return BosClient(
        http,
        base_url=settings.bos_url,
        internal_api_key=settings.internal_api_key,
        timeout_seconds=settings.bos_timeout_seconds,
        max_attempts=settings.bos_max_attempts,
    )


class ResultAggregatorProvider(Provider):
    """Settings, sessions, HTTP clients for the app; queries per request."""

    def __init__(self, settings: ResultAggregatorSettings, engine: AsyncEngine) -> None:
        super().__init__()
        self._settings = settings
        self._engine = engine

    @provide(scope=Scope.APP)
    def settings(self) -> ResultAggregatorSettings:
        """The validated settings."""
        return self._settings

    @provide(scope=Scope.APP)
    def uow_factory(self) -> UnitOfWorkFactory:
        """Read-only units of work: autocommit, so a one-statement read has no BEGIN/ROLLBACK."""
        reads = self._engine.execution_options(isolation_level="AUTOCOMMIT")
        return make_uow_factory(make_session_factory(reads))

    @provide(scope=Scope.APP)
    async def http(self) -> AsyncIterator[LazyHttpSession]:
        """One HTTP session for the process, closed with the container."""
        session = LazyHttpSession()
        yield session
        await session.close()

    @provide(scope=Scope.APP)
    def bos(self, http: LazyHttpSession) -> BatchOrchestrator:
        """BOS's internal API."""
        return make_bos_client(http, self._settings)

    @provide(scope=Scope.APP)
    def texts(self, http: LazyHttpSession) -> TextStore:
        """The Content Service."""
        return ContentServiceTexts(http, self._settings)

    @provide(scope=Scope.APP)
    def queries(
        self, uow_factory: UnitOfWorkFactory, bos: BatchOrchestrator, texts: TextStore
    ) -> ResultQueries:
        """The API's read side."""
        return ResultQueries(uow_factory, bos, texts)

    @provide(scope=Scope.APP)
    def essay_texts(self, queries: ResultQueries, texts: TextStore) -> EssayTexts:
        """Essays' original texts for their owners."""
        return EssayTexts(queries, texts)


def make_container(settings: ResultAggregatorSettings, engine: AsyncEngine) -> AsyncContainer:
    """The HTTP process's container."""
    return make_async_container(ResultAggregatorProvider(settings, engine))
