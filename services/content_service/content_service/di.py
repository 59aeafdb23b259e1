"""Composition root: Dishka providers for the Content Service."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from content_service.adapters.postgres_repository import PostgresContentRepository
from content_service.config import ContentServiceSettings
from content_service.domain import ContentRepository, FetchContent, StoreContent
from huleedu_service_libs.db import make_session_factory


class ContentProvider(Provider):
    """Settings and engine for the process; repository and use cases per request."""

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

    @provide(scope=Scope.REQUEST)
    def repository(self, sessions: async_sessionmaker[AsyncSession]) -> ContentRepository:
        """PostgreSQL storage."""
        return PostgresContentRepository(sessions)

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


def make_container(settings: ContentServiceSettings, engine: AsyncEngine) -> AsyncContainer:
    """The process's container; resolving it connects nothing until first use."""
    return make_async_container(ContentProvider(settings, engine))
