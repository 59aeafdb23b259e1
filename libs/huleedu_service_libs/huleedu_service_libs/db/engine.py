"""Async engine and session factories; nothing connects until first use."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.db.metrics import instrument_engine

# Deterministic constraint names so Alembic autogenerate and reviews see stable names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    """MetaData with the project's naming convention."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def create_engine_from_settings(settings: ServiceSettings) -> AsyncEngine:
    """The service's engine (asyncpg; pool size, pre-ping and recycling from settings).

    Its pool use and statement latency are exported as huleedu_db_* metrics of the service.
    """
    connect_args: dict[str, object] = {}
    if settings.database_schema:
        # Lets tests (and side-by-side setups) run a service inside its own schema.
        connect_args["server_settings"] = {"search_path": settings.database_schema}
    engine = create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_pre_ping=settings.database_pool_pre_ping,
        pool_recycle=settings.database_pool_recycle_seconds,
        connect_args=connect_args,
    )
    return instrument_engine(engine, settings.service_name)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
