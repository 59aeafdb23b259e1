"""What several benchmarks share: a throwaway schema in the library test database, a roster CSV,
the raw `executemany` baseline of student rows.

Not a benchmark itself (`make bench` runs only *_bench.py); the benchmarks run as scripts, so
they import it as a sibling module.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
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


def default_corpus() -> Path:
    """The learner corpus: $HULEEDU_CORPUS_DIR, else `../shared/corpus` beside the repository."""
    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("HULEEDU_CORPUS_DIR") or root.parent / "shared" / "corpus")


def roster_csv(rows: int, tag: str) -> bytes:
    """A Swedish-style roster (semicolons, Swedish headers) with unique emails."""
    first, last = FIRST.split(), LAST.split()
    lines = ["Förnamn;Efternamn;E-post"]
    for i in range(rows):
        f, ln = first[i % len(first)], last[(i // len(first)) % len(last)]
        lines.append(f"{f};{ln};{f.lower()}.{i}.{tag}@elev.skola.se")
    return ("\n".join(lines) + "\n").encode()


async def raw_executemany(
    infra: InfraSettings, database: str, imports: int, rows: int, parallel: int
) -> float:
    """Rows/s of plain asyncpg `executemany`: `imports` transactions of `rows` student-shaped
    rows (uuid key, teacher, two 120-byte ciphertexts, an email hash unique per teacher), on
    `parallel` connections into temporary tables: the baseline a roster import is held to."""
    connections = [
        await asyncpg.connect(
            host=infra.pg_host,
            port=infra.pg_port,
            user=infra.pg_user,
            password=infra.pg_password,
            database=database,
        )
        for _ in range(parallel)
    ]
    try:
        for conn in connections:
            await conn.execute(
                "CREATE TEMP TABLE bench_students (student_id uuid PRIMARY KEY, user_id text,"
                " name bytea, email bytea, email_hash text)"
            )
            await conn.execute("CREATE UNIQUE INDEX ON bench_students (user_id, email_hash)")
        batches = [
            [
                (uuid.uuid4(), f"u{i}", os.urandom(120), os.urandom(120), uuid.uuid4().hex)
                for _ in range(rows)
            ]
            for i in range(imports)
        ]
        idle: asyncio.Queue[asyncpg.Connection] = asyncio.Queue()
        for conn in connections:
            idle.put_nowait(conn)

        async def one(batch: Sequence[tuple[object, ...]]) -> None:
            conn = await idle.get()
            try:
                async with conn.transaction():
                    await conn.executemany(
                        "INSERT INTO bench_students VALUES ($1, $2, $3, $4, $5)", batch
                    )
            finally:
                idle.put_nowait(conn)

        started = time.perf_counter()
        await asyncio.gather(*(one(b) for b in batches))
        return imports * rows / (time.perf_counter() - started)
    finally:
        for conn in connections:
            await conn.close()
