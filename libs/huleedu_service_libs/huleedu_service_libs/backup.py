"""Dump and restore the platform's databases: one pg_dump custom-format file per database.

A backup is a directory of `<database>.dump` files and a `manifest.json` written last (so a
directory without one is an unfinished backup): when, from which server, the server's
version, and per database the file, its size, its sha256 and the Alembic revision it was at.
A restore checks every checksum before it touches anything, then per database drops it
(closing any connection left), creates it empty from template0 and runs `pg_restore` in a
single transaction, so a database is either restored whole or left empty with the error
reported.

The client programs come from the server's own major version (`bin_dir`), because pg_dump
refuses servers newer than itself and pg_restore may not read a newer dump format.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "MANIFEST_NAME",
    "BackupError",
    "DatabaseDump",
    "Manifest",
    "PostgresServer",
    "RestoredDatabase",
    "dump_database",
    "restore_database",
    "running_stack_processes",
    "sha256_of",
    "verify_backup",
    "write_manifest",
]

MANIFEST_NAME = "manifest.json"
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup could not be taken, or a backup directory cannot be restored."""


@dataclass(frozen=True)
class PostgresServer:
    """Where the databases live, and where this server version's client programs are."""

    host: str
    port: int
    user: str
    password: str
    bin_dir: Path = Path("/usr/lib/postgresql/15/bin")

    @property
    def address(self) -> str:
        """host:port, for the manifest and messages."""
        return f"{self.host}:{self.port}"

    def run(self, program: str, *args: str) -> str:
        """Run one client program against this server; its stdout, or BackupError."""
        executable = self.bin_dir / program
        command = [str(executable) if executable.exists() else program, *args]
        # The password travels in the environment, never on a command line others can read.
        env = {**os.environ, "PGPASSWORD": self.password, "PGCONNECT_TIMEOUT": "10"}
        try:
            done = subprocess.run(  # noqa: S603 - PostgreSQL's own client programs
                command, env=env, capture_output=True, text=True, check=False
            )
        except OSError as exc:
            raise BackupError(f"{program}: {exc}") from exc
        if done.returncode != 0:
            raise BackupError(f"{program} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def connection(self, database: str) -> tuple[str, ...]:
        """libpq options naming this server, its user and one database."""
        return (
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            database,
            "--no-password",
        )

    def query(self, database: str, sql: str) -> str:
        """One SQL statement through psql; its unaligned output, stripped."""
        args = ("-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", *self.connection(database))
        return self.run("psql", *args, "-c", sql).strip()

    def version(self) -> str:
        """The server's version string (e.g. 15.18 (Debian 15.18-0+deb12u1))."""
        return self.query("postgres", "SHOW server_version")

    def alembic_revision(self, database: str) -> str | None:
        """The database's Alembic revision(s), comma-separated; None without Alembic."""
        if not self.query(database, "SELECT to_regclass('public.alembic_version')"):
            return None
        sql = "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version"
        found = self.query(database, sql)
        return found or None


@dataclass(frozen=True)
class DatabaseDump:
    """One database's dump file in a backup directory."""

    database: str
    file: str
    size_bytes: int
    sha256: str
    alembic_revision: str | None
    dump_seconds: float


@dataclass(frozen=True)
class Manifest:
    """What a backup directory holds; written last, as manifest.json."""

    created_at: str
    server: str
    postgres_version: str
    databases: list[DatabaseDump] = field(default_factory=list)
    format: str = "pg_dump custom (-Fc)"

    @property
    def total_bytes(self) -> int:
        """The dump files' combined size."""
        return sum(d.size_bytes for d in self.databases)

    def to_json(self) -> str:
        """The manifest as indented JSON."""
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, raw: str) -> Manifest:
        """Parse manifest.json; BackupError when it is not one."""
        try:
            data: dict[str, Any] = json.loads(raw)
            dumps = [DatabaseDump(**entry) for entry in data.pop("databases")]
            return cls(databases=dumps, **data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise BackupError(f"not a backup manifest: {exc}") from exc


def sha256_of(path: Path) -> str:
    """The file's sha256, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def dump_database(server: PostgresServer, database: str, directory: Path) -> DatabaseDump:
    """pg_dump -Fc one database into `directory/<database>.dump`."""
    revision = server.alembic_revision(database)
    target = directory / f"{database}.dump"
    started = time.monotonic()
    try:
        server.run("pg_dump", "-Fc", "-f", str(target), *server.connection(database))
    except BackupError:
        target.unlink(missing_ok=True)
        raise
    return DatabaseDump(
        database=database,
        file=target.name,
        size_bytes=target.stat().st_size,
        sha256=sha256_of(target),
        alembic_revision=revision,
        dump_seconds=round(time.monotonic() - started, 3),
    )


def write_manifest(
    server: PostgresServer, directory: Path, dumps: list[DatabaseDump], version: str
) -> Manifest:
    """Write manifest.json (last: its presence marks a complete backup)."""
    manifest = Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        server=server.address,
        postgres_version=version,
        databases=dumps,
    )
    (directory / MANIFEST_NAME).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def verify_backup(directory: Path) -> Manifest:
    """The manifest, once every file it lists exists with its size and checksum."""
    manifest_file = directory / MANIFEST_NAME
    if not manifest_file.is_file():
        raise BackupError(f"{directory} has no {MANIFEST_NAME} (not a finished backup)")
    manifest = Manifest.from_json(manifest_file.read_text(encoding="utf-8"))
    if not manifest.databases:
        raise BackupError(f"{manifest_file} lists no databases")
    problems = []
    for dump in manifest.databases:
        path = directory / dump.file
        if Path(dump.file).name != dump.file:
            problems.append(f"{dump.file}: not a file name inside the backup directory")
        elif not path.is_file():
            problems.append(f"{dump.file}: missing")
        elif (size := path.stat().st_size) != dump.size_bytes:
            problems.append(f"{dump.file}: {size} bytes, the manifest says {dump.size_bytes}")
        elif sha256_of(path) != dump.sha256:
            problems.append(f"{dump.file}: sha256 differs from the manifest")
    if problems:
        raise BackupError("backup failed verification: " + "; ".join(problems))
    return manifest


@dataclass(frozen=True)
class RestoredDatabase:
    """What restoring one database did."""

    seconds: float
    closed_connections: list[str]


def restore_database(
    server: PostgresServer, dump: DatabaseDump, directory: Path
) -> RestoredDatabase:
    """Drop the database, create it empty and pg_restore the dump in one transaction."""
    started = time.monotonic()
    quoted = '"' + dump.database.replace('"', '""') + '"'
    literal = "'" + dump.database.replace("'", "''") + "'"
    # The stack is down, but a monitoring exporter or a forgotten psql may still be connected;
    # FORCE closes those (and says whose they were) instead of failing half-way.
    others = server.query(
        "postgres",
        "SELECT coalesce(nullif(application_name, ''), usename) || ' (pid ' || pid || ')'"
        f" FROM pg_stat_activity WHERE datname = {literal} AND pid <> pg_backend_pid()",
    )
    server.query("postgres", f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    server.query("postgres", f"CREATE DATABASE {quoted} TEMPLATE template0")
    server.run(
        "pg_restore",
        "--single-transaction",
        "--exit-on-error",
        "--clean",
        "--if-exists",
        *server.connection(dump.database),
        str(directory / dump.file),
    )
    return RestoredDatabase(time.monotonic() - started, others.splitlines())


def running_stack_processes(local_dir: Path) -> list[str]:
    """The supervisor and service processes of `make up` that are alive (by their pid files)."""
    pidfiles = [local_dir / "supervisor.pid", *sorted((local_dir / "run").glob("*.pid"))]
    return [p.stem for p in pidfiles if _alive(p)]


def _alive(pidfile: Path) -> bool:
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
    except PermissionError:
        return True  # alive, only owned by another user
    except (OSError, ValueError):
        return False
    return True
