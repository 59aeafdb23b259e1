"""`make backup` / `make restore` (scripts/backup.py) on a scratch database of the real server.

The scratch database is not named huleedu_*, so nothing else (the PII scans of e2e tests)
ever sees it, and the restore runs with a local directory of its own, so a running stack's
pid files never count.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from huleedu_service_libs.config import InfraSettings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup.py"

SCHEMA = """
CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO alembic_version VALUES ('2026_0003');
CREATE TABLE teachers (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE students (
    id serial PRIMARY KEY,
    teacher_id int NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    name_ciphertext bytea NOT NULL,
    meta jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ix_students_teacher ON students (teacher_id);
INSERT INTO teachers (name) VALUES ('anna'), ('bertil');
INSERT INTO students (teacher_id, name_ciphertext, meta)
    SELECT 1 + i % 2, decode(md5(i::text), 'hex'), jsonb_build_object('i', i)
    FROM generate_series(1, 500) AS i;
"""

SNAPSHOT = """
SELECT (SELECT string_agg(name, ',' ORDER BY id) FROM teachers)
    || '|' || (SELECT count(*) FROM students)
    || '|' || (SELECT md5(string_agg(encode(name_ciphertext, 'hex') || meta::text, ',' ORDER BY id))
               FROM students)
    || '|' || (SELECT last_value FROM students_id_seq)
"""


def run(*args: str, local_dir: Path) -> subprocess.CompletedProcess[str]:
    """scripts/backup.py with this test's local directory (the server: HULEEDU_PG_*)."""
    env = {**os.environ, "HULEEDU_LOCAL_DIR": str(local_dir)}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


class Scratch:
    """A scratch database on the shared server, with SQL helpers."""

    def __init__(self, infra: InfraSettings, name: str) -> None:
        self.infra = infra
        self.name = name

    async def execute(self, sql: str) -> None:
        engine = create_async_engine(self.infra.database_url(self.name))
        try:
            async with engine.begin() as conn:
                for statement in filter(str.strip, sql.split(";")):
                    await conn.execute(text(statement))
        finally:
            await engine.dispose()

    async def snapshot(self) -> str:
        engine = create_async_engine(self.infra.database_url(self.name))
        try:
            async with engine.connect() as conn:
                return str(await conn.scalar(text(SNAPSHOT)))
        finally:
            await engine.dispose()


@pytest.fixture
async def scratch(infra: InfraSettings) -> AsyncIterator[Scratch]:
    """A fresh database with tables, a sequence, an index, a foreign key and bytea rows."""
    name = f"backup_test_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(
        infra.database_url("huleedu_libs_test"), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = Scratch(infra, name)
    await database.execute(SCHEMA)
    try:
        yield database
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def test_a_backup_restores_the_database_exactly_as_it_was(
    scratch: Scratch, tmp_path: Path
) -> None:
    before = await scratch.snapshot()
    target = tmp_path / "backup"

    taken = run("backup", "--to", str(target), "--databases", scratch.name, local_dir=tmp_path)

    assert taken.returncode == 0, taken.stderr
    manifest = json.loads((target / "manifest.json").read_text())
    [entry] = manifest["databases"]
    assert entry["database"] == scratch.name
    assert entry["file"] == f"{scratch.name}.dump"
    assert entry["alembic_revision"] == "2026_0003"
    assert entry["size_bytes"] == (target / entry["file"]).stat().st_size > 0
    assert (target / entry["file"]).read_bytes()[:5] == b"PGDMP"  # custom format
    # Personal data inside: only the user who took the backup may read it.
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    for path in target.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert manifest["postgres_version"].startswith("15")
    assert f"{scratch.name}: " in taken.stdout
    assert "done: 1 databases" in taken.stdout

    await scratch.execute(
        "DELETE FROM students WHERE id > 100; INSERT INTO teachers (name) VALUES ('cecilia');"
        "DROP INDEX ix_students_teacher; UPDATE alembic_version SET version_num = '2026_0004'"
    )
    assert await scratch.snapshot() != before

    restored = run("restore", "--from", str(target), local_dir=tmp_path)

    assert restored.returncode == 0, restored.stderr
    assert await scratch.snapshot() == before
    assert f"{scratch.name}: " in restored.stdout
    assert "restored in" in restored.stdout
    assert "checksums verified" in restored.stdout


def backed_up(scratch: Scratch, tmp_path: Path) -> Path:
    """A backup of the scratch database taken into tmp_path/backup (which it returns)."""
    target = tmp_path / "backup"
    taken = run("backup", "--to", str(target), "--databases", scratch.name, local_dir=tmp_path)
    assert taken.returncode == 0, taken.stderr
    return target


async def test_restore_refuses_while_a_stack_process_runs(scratch: Scratch, tmp_path: Path) -> None:
    target = backed_up(scratch, tmp_path)
    await scratch.execute("INSERT INTO teachers (name) VALUES ('after the backup')")
    after = await scratch.snapshot()
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "file_service-http.pid").write_text(str(os.getpid()))

    refused = run("restore", "--from", str(target), local_dir=tmp_path)

    assert refused.returncode == 1
    assert "the stack is running (file_service-http)" in refused.stderr
    assert await scratch.snapshot() == after


async def test_restore_refuses_a_dump_whose_checksum_differs(
    scratch: Scratch, tmp_path: Path
) -> None:
    target = backed_up(scratch, tmp_path)
    await scratch.execute("INSERT INTO teachers (name) VALUES ('after the backup')")
    after = await scratch.snapshot()
    dump = target / f"{scratch.name}.dump"
    corrupted = bytearray(dump.read_bytes())
    corrupted[len(corrupted) // 2] ^= 0xFF
    dump.write_bytes(bytes(corrupted))

    refused = run("restore", "--from", str(target), local_dir=tmp_path)

    assert refused.returncode == 1
    assert "sha256 differs from the manifest" in refused.stderr
    assert await scratch.snapshot() == after


async def test_restore_closes_a_connection_left_open_and_says_so(
    scratch: Scratch, tmp_path: Path
) -> None:
    target = backed_up(scratch, tmp_path)
    before = await scratch.snapshot()
    infra = scratch.infra
    forgotten = await asyncpg.connect(
        host=infra.pg_host,
        port=infra.pg_port,
        user=infra.pg_user,
        password=infra.pg_password,
        database=scratch.name,
        server_settings={"application_name": "forgotten-psql"},
    )
    try:
        restored = run("restore", "--from", str(target), local_dir=tmp_path)
    finally:
        forgotten.terminate()

    assert restored.returncode == 0, restored.stderr
    assert "closed the connections still open (forgotten-psql (pid" in restored.stdout
    assert await scratch.snapshot() == before


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    target = tmp_path / "backup"
    target.mkdir()
    (target / "something.txt").write_text("keep me")

    refused = run("backup", "--to", str(target), "--databases", "postgres", local_dir=tmp_path)

    assert refused.returncode == 1
    assert "is not empty" in refused.stderr
    assert sorted(p.name for p in target.iterdir()) == ["something.txt"]
