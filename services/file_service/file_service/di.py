"""Composition root: Dishka providers for the File Service's HTTP process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from file_service.adapters import metrics
from file_service.adapters.bos_client import BosBatchAccess
from file_service.adapters.content_client import ContentServiceStore
from file_service.adapters.unit_of_work import SqlAlchemyUnitOfWork
from file_service.config import FileServiceSettings
from file_service.domain.batch_files import ListFiles, RemoveFile
from file_service.domain.ports import BatchAccess, ContentStore, UnitOfWork
from file_service.domain.uploads import UploadFiles
from huleedu_service_libs.clients import ContentServiceClient
from huleedu_service_libs.crypto import KeyRing
from huleedu_service_libs.db import make_session_factory
from huleedu_service_libs.resilience import AsyncCircuitBreaker


class FileServiceProvider(Provider):
    """Process-wide clients and breaker; a unit of work and use cases per request."""

    def __init__(self, settings: FileServiceSettings, engine: AsyncEngine) -> None:
        super().__init__()
        self._settings = settings
        self._engine = engine

    @provide(scope=Scope.APP)
    def settings(self) -> FileServiceSettings:
        """The validated settings."""
        return self._settings

    @provide(scope=Scope.APP)
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Session factory over the service's engine."""
        return make_session_factory(self._engine)

    @provide(scope=Scope.APP)
    async def http(self) -> AsyncIterator[aiohttp.ClientSession]:
        """One pooled HTTP client for calls to other services."""
        async with aiohttp.ClientSession() as session:
            yield session

    @provide(scope=Scope.APP)
    def bos_breaker(self, settings: FileServiceSettings) -> AsyncCircuitBreaker:
        """The breaker in front of the Batch Orchestrator."""
        return AsyncCircuitBreaker(
            "file_service_to_bos",
            fail_max=settings.bos_breaker_fail_max,
            reset_timeout=settings.bos_breaker_reset_seconds,
            service=settings.service_name,
        )

    @provide(scope=Scope.APP)
    def batch_access(
        self,
        http: aiohttp.ClientSession,
        settings: FileServiceSettings,
        breaker: AsyncCircuitBreaker,
    ) -> BatchAccess:
        """BOS pipeline-state checks (switchable off by FILE_SERVICE_BOS_CHECK_ENABLED)."""
        return BosBatchAccess(
            http,
            base_url=settings.bos_url,
            internal_api_key=settings.internal_api_key,
            timeout_seconds=settings.bos_timeout_seconds,
            breaker=breaker,
            enabled=settings.bos_check_enabled,
        )

    @provide(scope=Scope.APP)
    def content_store(
        self, http: aiohttp.ClientSession, settings: FileServiceSettings
    ) -> ContentStore:
        """The Content Service, through the shared client."""
        return ContentServiceStore(ContentServiceClient.from_settings(http, settings))

    @provide(scope=Scope.APP)
    def event_keys(self, settings: FileServiceSettings) -> KeyRing:
        """Seals personal data for the bus (the event PII key, shared with CMS only)."""
        return KeyRing(settings.event_pii_keys)

    @provide(scope=Scope.REQUEST)
    def uow(self, sessions: async_sessionmaker[AsyncSession]) -> UnitOfWork:
        """One transaction for rows and outbox."""
        return SqlAlchemyUnitOfWork(sessions)

    @provide(scope=Scope.REQUEST)
    def upload_files(
        self,
        settings: FileServiceSettings,
        batch_access: BatchAccess,
        content_store: ContentStore,
        uow: UnitOfWork,
        event_keys: KeyRing,
    ) -> UploadFiles:
        """The upload use case with the configured limits."""
        return UploadFiles(
            batch_access=batch_access,
            content_store=content_store,
            uow=uow,
            limits=settings.validation_limits(),
            max_files=settings.max_files_per_upload,
            validation_concurrency=settings.validation_concurrency,
            source_service=settings.service_name,
            sealer=event_keys,
            record=metrics.record,
        )

    @provide(scope=Scope.REQUEST)
    def remove_file(
        self, settings: FileServiceSettings, batch_access: BatchAccess, uow: UnitOfWork
    ) -> RemoveFile:
        """The remove use case."""
        return RemoveFile(batch_access=batch_access, uow=uow, source_service=settings.service_name)

    @provide(scope=Scope.REQUEST)
    def list_files(self, batch_access: BatchAccess, uow: UnitOfWork) -> ListFiles:
        """The list use case."""
        return ListFiles(batch_access=batch_access, uow=uow)


def make_container(settings: FileServiceSettings, engine: AsyncEngine) -> AsyncContainer:
    """The HTTP process's container."""
    return make_async_container(FileServiceProvider(settings, engine))
