"""What several benchmarks share: a throwaway schema in the library test database, a roster CSV.

Not a benchmark itself (`make bench` runs only *_bench.py); the benchmarks run as scripts, so
they import it as a sibling module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from huleedu_service_libs.config import InfraSettings
from huleedu_testing import random_suffix
from huleedu_testing.fixtures import LIBS_TEST_DATABASE
from huleedu_testing.migrations import upgrade_to_head

FIRST = "Åsa Erik Sara Johanna Ali Elin Oskar Maja Noah Wilma Hugo Alice Liam Ebba Omar Saga"
LAST = "Öberg Lind Berg Nyström Karlsson Holm Ekström Sjöberg Åkesson Lundqvist Jönsson Ali"


@dataclass(frozen=True)
class ScratchSchema:
    """A schema of the library test database and an engine whose search_path is it."""

    name: str
    engine: AsyncEngine


@asynccontextmanager
async def scratch_schema(
    infra: InfraSettings, prefix: str, service_dir: Path | None = None
) -> AsyncIterator[ScratchSchema]:
    """A fresh schema (migrated with `service_dir`'s Alembic scripts when given), dropped after."""
    name = f"{prefix}_{random_suffix()}"
    url = infra.database_url(LIBS_TEST_DATABASE)
    admin = create_async_engine(url)
    engine: AsyncEngine | None = None
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{name}"'))
        engine = create_async_engine(url, connect_args={"server_settings": {"search_path": name}})
        if service_dir is not None:
            await upgrade_to_head(engine, service_dir)
        yield ScratchSchema(name, engine)
    finally:
        if engine is not None:
            await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        await admin.dispose()


def roster_csv(rows: int, tag: str) -> bytes:
    """A Swedish-style roster (semicolons, Swedish headers) with unique emails."""
    first, last = FIRST.split(), LAST.split()
    lines = ["Förnamn;Efternamn;E-post"]
    for i in range(rows):
        f, ln = first[i % len(first)], last[(i // len(first)) % len(last)]
        lines.append(f"{f};{ln};{f.lower()}.{i}.{tag}@elev.skola.se")
    return ("\n".join(lines) + "\n").encode()
