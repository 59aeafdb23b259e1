"""Composition root: Dishka providers for the Batch Orchestrator's HTTP and worker processes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from batch_orchestrator_service.adapters import metrics
from batch_orchestrator_service.adapters.cms_client import CmsClassDirectory
from batch_orchestrator_service.adapters.unit_of_work import SqlAlchemyUnitOfWork
from batch_orchestrator_service.config import BatchOrchestratorSettings
from batch_orchestrator_service.domain.batches import (
    GetBatch,
    GetPipelineState,
    RegisterBatch,
    RetryPhase,
)
from batch_orchestrator_service.domain.ports import ClassDirectory, UnitOfWork, UnitOfWorkFactory
from huleedu_service_libs.db import make_session_factory
from huleedu_service_libs.resilience import AsyncCircuitBreaker


class BatchOrchestratorProvider(Provider):
    """Settings and sessions for the process; a unit of work and use cases per request."""

    def __init__(self, settings: BatchOrchestratorSettings, engine: AsyncEngine) -> None:
        super().__init__()
        self._settings = settings
        self._engine = engine

    @provide(scope=Scope.APP)
    def settings(self) -> BatchOrchestratorSettings:
        """The validated settings."""
        return self._settings

    @provide(scope=Scope.APP)
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Session factory over the service's engine."""
        return make_session_factory(self._engine)

    @provide(scope=Scope.REQUEST)
    def uow(self, sessions: async_sessionmaker[AsyncSession]) -> UnitOfWork:
        """One transaction for batch rows, inbox and outbox."""
        return SqlAlchemyUnitOfWork(sessions)

    # -- Class Management Service (created on first use: only registration needs it) ----------

    @provide(scope=Scope.APP)
    async def http(self) -> AsyncIterator[aiohttp.ClientSession]:
        """One pooled HTTP client for calls to other services."""
        async with aiohttp.ClientSession() as session:
            yield session

    @provide(scope=Scope.APP)
    def cms_breaker(self, settings: BatchOrchestratorSettings) -> AsyncCircuitBreaker:
        """The breaker in front of the Class Management Service."""
        return AsyncCircuitBreaker(
            "batch_orchestrator_to_cms",
            fail_max=settings.cms_breaker_fail_max,
            reset_timeout=settings.cms_breaker_reset_seconds,
            service=settings.service_name,
        )

    @provide(scope=Scope.APP)
    def class_directory(
        self,
        http: aiohttp.ClientSession,
        settings: BatchOrchestratorSettings,
        breaker: AsyncCircuitBreaker,
    ) -> ClassDirectory:
        """Class checks at registration, through the breaker."""
        return CmsClassDirectory(
            http,
            base_url=settings.cms_url,
            internal_api_key=settings.internal_api_key,
            timeout_seconds=settings.cms_timeout_seconds,
            max_attempts=settings.cms_max_attempts,
            breaker=breaker,
        )

    # -- HTTP use cases ------------------------------------------------------------------------

    @provide(scope=Scope.REQUEST)
    def register_batch(
        self, settings: BatchOrchestratorSettings, uow: UnitOfWork, classes: ClassDirectory
    ) -> RegisterBatch:
        """Register a batch (a class batch's class checked with CMS first)."""
        return RegisterBatch(
            uow=uow,
            classes=classes,
            source_service=settings.service_name,
            record=metrics.record,
        )

    @provide(scope=Scope.REQUEST)
    def get_pipeline_state(self, uow: UnitOfWork) -> GetPipelineState:
        """Read the pipeline state."""
        return GetPipelineState(uow=uow)

    @provide(scope=Scope.REQUEST)
    def get_batch(self, uow: UnitOfWork) -> GetBatch:
        """Read a teacher's batch."""
        return GetBatch(uow=uow)

    @provide(scope=Scope.REQUEST)
    def retry_phase(self, settings: BatchOrchestratorSettings, uow: UnitOfWork) -> RetryPhase:
        """Retry a failed phase."""
        return RetryPhase(uow=uow, source_service=settings.service_name)


def make_container(settings: BatchOrchestratorSettings, engine: AsyncEngine) -> AsyncContainer:
    """A process's container (the HTTP app and the worker use the same providers)."""
    return make_async_container(BatchOrchestratorProvider(settings, engine))


def make_uow_factory(sessions: async_sessionmaker[AsyncSession]) -> UnitOfWorkFactory:
    """A fresh unit of work per consumed event (the worker's step runners open them)."""
    return lambda: SqlAlchemyUnitOfWork(sessions)
