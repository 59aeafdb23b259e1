"""Composition root: Dishka providers for the Essay Lifecycle Service's processes."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from essay_lifecycle_service.adapters.unit_of_work import SqlAlchemyUnitOfWork
from essay_lifecycle_service.config import EssayLifecycleSettings
from essay_lifecycle_service.domain.ports import UnitOfWorkFactory
from essay_lifecycle_service.domain.queries import StatusQueries
from huleedu_service_libs.db import make_session_factory


def make_uow_factory(sessions: async_sessionmaker[AsyncSession]) -> UnitOfWorkFactory:
    """A fresh unit of work per call (one per handled event or query)."""
    return lambda: SqlAlchemyUnitOfWork(sessions)


class EssayLifecycleProvider(Provider):
    """Settings, sessions and the unit-of-work factory for the app; queries per request."""

    def __init__(self, settings: EssayLifecycleSettings, engine: AsyncEngine) -> None:
        super().__init__()
        self._settings = settings
        self._engine = engine

    @provide(scope=Scope.APP)
    def settings(self) -> EssayLifecycleSettings:
        """The validated settings."""
        return self._settings

    @provide(scope=Scope.APP)
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Session factory over the service's engine."""
        return make_session_factory(self._engine)

    @provide(scope=Scope.APP)
    def uow_factory(self, sessions: async_sessionmaker[AsyncSession]) -> UnitOfWorkFactory:
        """Units of work over those sessions."""
        return make_uow_factory(sessions)

    @provide(scope=Scope.REQUEST)
    def status_queries(self, uow_factory: UnitOfWorkFactory) -> StatusQueries:
        """The status API's read side."""
        return StatusQueries(uow_factory)


def make_container(settings: EssayLifecycleSettings, engine: AsyncEngine) -> AsyncContainer:
    """A process's container."""
    return make_async_container(EssayLifecycleProvider(settings, engine))
