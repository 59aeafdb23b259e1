"""Composition root: Dishka providers for the Content Service."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from content_service.adapters.postgres_repository import PostgresContentRepository
from content_service.config import ContentServiceSettings
from content_service.domain import (
    ContentErasureRepository,
    ContentRepository,
    EraseContent,
    FetchContent,
    StoreContent,
)
from huleedu_service_libs.crypto import KeyRing
from huleedu_service_libs.db import make_session_factory


class ContentProvider(Provider):
    """Settings, engine and key ring for the process; repository and use cases per request."""

    def __init__(self, settings: ContentServiceSettings, engine: AsyncEngine) -> None:
        super().__init__()
        self._settings = settings
        self._engine = engine

    @provide(scope=Scope.APP)
    def settings(self) -> ContentServiceSettings:
        """The validated settings."""
        return self._settings

    @provide(scope=Scope.APP)
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Session factory over the service's engine."""
        return make_session_factory(self._engine)

    @provide(scope=Scope.APP)
    def keyring(self) -> KeyRing:
        """The blob encryption keys (parsed once)."""
        return KeyRing(self._settings.encryption_keys)

    @provide(scope=Scope.REQUEST)
    def postgres(
        self, sessions: async_sessionmaker[AsyncSession], keyring: KeyRing
    ) -> PostgresContentRepository:
        """PostgreSQL storage, encrypting at rest."""
        return PostgresContentRepository(sessions, keyring)

    @provide(scope=Scope.REQUEST)
    def repository(self, postgres: PostgresContentRepository) -> ContentRepository:
        """The store and fetch port."""
        return postgres

    @provide(scope=Scope.REQUEST)
    def erasure_repository(self, postgres: PostgresContentRepository) -> ContentErasureRepository:
        """The erasure port."""
        return postgres

    @provide(scope=Scope.REQUEST)
    def store_content(
        self, repository: ContentRepository, settings: ContentServiceSettings
    ) -> StoreContent:
        """Store use case with the configured size limit."""
        return StoreContent(repository, settings.max_content_bytes)

    @provide(scope=Scope.REQUEST)
    def fetch_content(self, repository: ContentRepository) -> FetchContent:
        """Fetch use case."""
        return FetchContent(repository)

    @provide(scope=Scope.REQUEST)
    def erase_content(
        self, repository: ContentErasureRepository, settings: ContentServiceSettings
    ) -> EraseContent:
        """Erasure use case."""
        return EraseContent(repository, settings.max_erasure_ids)


def make_container(settings: ContentServiceSettings, engine: AsyncEngine) -> AsyncContainer:
    """The process's container; resolving it connects nothing until first use."""
    return make_async_container(ContentProvider(settings, engine))
