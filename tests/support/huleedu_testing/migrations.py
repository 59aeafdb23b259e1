"""Run a service's real Alembic migrations on a test engine (its fresh schema)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(service_dir: Path) -> Config:
    """The service's alembic.ini with an absolute script location."""
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    return config


async def upgrade_to(engine: AsyncEngine, service_dir: Path, revision: str) -> None:
    """`alembic upgrade <revision>` for the service, inside the engine's search_path schema."""
    config = alembic_config(service_dir)

    def _upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


async def upgrade_to_head(engine: AsyncEngine, service_dir: Path) -> None:
    """`alembic upgrade head` for the service, inside the engine's search_path schema."""
    await upgrade_to(engine, service_dir, "head")


async def downgrade_to_base(engine: AsyncEngine, service_dir: Path) -> None:
    """`alembic downgrade base`, to prove a migration can be undone."""
    config = alembic_config(service_dir)

    def _downgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")

    async with engine.begin() as conn:
        await conn.run_sync(_downgrade)
