"""A private PostgreSQL cluster for tests that stop and start the database (outage tests).

It runs from Debian's PostgreSQL binaries in its own temporary directory on a free port below
the ephemeral range, as the `postgres` user when the tests run as root (initdb refuses root),
so stopping it never disturbs the shared server or other tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from huleedu_testing.servers import free_port_below_ephemeral

__all__ = ["PrivatePostgres"]

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
USER = "huleedu"
PASSWORD = "private-postgres-password"
_TIMEOUT_SECONDS = 120


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PrivatePostgres:
    """initdb once, then start and stop at will; `remove()` deletes the cluster."""

    def __init__(self) -> None:
        self.port = free_port_below_ephemeral()
        self.host = "127.0.0.1"
        # Not under pytest's tmp_path: its 0700 parents would lock out the postgres user.
        self._root = Path(tempfile.mkdtemp(prefix="huleedu-private-pg-"))
        self._data = self._root / "data"
        self._log = self._root / "postgres.log"
        self._initialised = False

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy asyncpg URL of one database of this cluster."""
        return f"postgresql+asyncpg://{USER}:{PASSWORD}@{self.host}:{self.port}/{database}"

    def start(self) -> None:
        """Start the server (initialising the cluster the first time) and wait until ready."""
        if not self._initialised:
            self._init()
        options = ("-l", str(self._log), "-o", f"-p {self.port}", "-w", "-t", "60")
        self._run([*self._pg_ctl(), *options, "start"])

    def stop(self) -> None:
        """Stop the server at once (clients see their connections dropped)."""
        self._run([*self._pg_ctl(), "-m", "immediate", "-w", "stop"])

    def is_running(self) -> bool:
        """True while the postmaster runs."""
        status = subprocess.run(
            _as_postgres([*self._pg_ctl(), "status"]),
            capture_output=True,
            check=False,
        )
        return status.returncode == 0

    def create_database(self, name: str) -> None:
        """CREATE DATABASE through the local socket (the server must be running)."""
        connection = ("-h", str(self._root), "-p", str(self.port), "-U", USER, "-d", "postgres")
        statement = f'CREATE DATABASE "{name}"'
        self._run([str(PG_BIN / "psql"), "-X", "-q", *connection, "-c", statement])

    def remove(self) -> None:
        """Stop the server if it runs and delete the cluster's directory."""
        if self._initialised and self.is_running():
            self.stop()
        shutil.rmtree(self._root, ignore_errors=True)

    def _init(self) -> None:
        password_file = self._root / "pwfile"
        password_file.write_text(PASSWORD + "\n")
        if os.geteuid() == 0:
            shutil.chown(self._root, "postgres", "postgres")
            shutil.chown(password_file, "postgres", "postgres")
        self._run(
            [
                *(str(PG_BIN / "initdb"), "-D", str(self._data), "-U", USER),
                *(f"--pwfile={password_file}", "--auth-local=trust", "--auth-host=scram-sha-256"),
                *("-E", "UTF8", "--locale=C.UTF-8"),
            ]
        )
        password_file.unlink()
        with (self._data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '{self.host}'\n"
                f"unix_socket_directories = '{self._root}'\n"
                "fsync = off\nmax_connections = 100\n"
            )
        self._initialised = True

    def _pg_ctl(self) -> list[str]:
        return [str(PG_BIN / "pg_ctl"), "-D", str(self._data)]

    def _run(self, args: list[str]) -> None:
        subprocess.run(
            _as_postgres(args), check=True, capture_output=True, timeout=_TIMEOUT_SECONDS
        )
