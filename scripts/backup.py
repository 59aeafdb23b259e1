"""`make backup` and `make restore`: every service database, dumped and restored whole.

    backup.py backup [--to DIR]       default .local/backups/<UTC time>/
    backup.py restore --from DIR      refuses while any process of `make up` runs

The databases are HULEEDU_DATABASES of scripts/infra/env.sh without the libraries' test
database; the server is the HULEEDU_PG_* one. Retention, encryption and the keys a restore
needs: documentation/runbooks/backup-and-restore.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from huleedu_service_libs.backup import (
    BackupError,
    PostgresServer,
    dump_database,
    restore_database,
    running_stack_processes,
    verify_backup,
    write_manifest,
)
from huleedu_service_libs.config import InfraSettings

ROOT = Path(__file__).resolve().parents[1]
ENV_SH = ROOT / "scripts" / "infra" / "env.sh"
# Only the libraries' integration tests write there: nothing of a teacher's.
LIBS_TEST_DATABASE = "huleedu_libs_test"


def say(message: str, tag: str = "backup") -> None:
    """One progress line, as the infrastructure scripts print them."""
    print(f"[{tag}] {message}", flush=True)


def from_env_sh() -> tuple[Path, list[str]]:
    """PG_BIN and the service databases, as scripts/infra/env.sh defines them."""
    script = 'source "$1" && printf "%s\\n" "$PG_BIN" "${HULEEDU_DATABASES[@]}"'
    shown = subprocess.run(  # noqa: S603 - our own settings file
        ["/bin/bash", "-c", script, "env.sh", str(ENV_SH)],
        capture_output=True,
        text=True,
        check=True,
    )
    pg_bin, *databases = shown.stdout.split()
    return Path(pg_bin), [d for d in databases if d != LIBS_TEST_DATABASE]


def server(pg_bin: Path) -> PostgresServer:
    """The HULEEDU_PG_* server."""
    infra = InfraSettings()
    return PostgresServer(infra.pg_host, infra.pg_port, infra.pg_user, infra.pg_password, pg_bin)


def local_dir() -> Path:
    """HULEEDU_LOCAL_DIR, as env.sh defaults it."""
    return Path(os.environ.get("HULEEDU_LOCAL_DIR", ROOT / ".local"))


def mebibytes(size: int) -> str:
    """A size for people."""
    return f"{size / (1 << 20):.2f} MiB"


def backup(target: Path | None, databases: list[str] | None) -> None:
    """Dump every database into a fresh directory, then write its manifest."""
    pg_bin, service_databases = from_env_sh()
    pg = server(pg_bin)
    names = databases or service_databases
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    directory = target or local_dir() / "backups" / stamp
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: back up into a new directory")
    # The dumps hold personal data: readable by this user only, whatever the caller's umask.
    os.umask(0o077)
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    version = pg.version()
    say(f"PostgreSQL {version} at {pg.address}: {len(names)} databases -> {directory}")
    started = time.monotonic()
    dumps = []
    for name in names:
        dump = dump_database(pg, name, directory)
        dumps.append(dump)
        revision = dump.alembic_revision or "no alembic_version"
        say(
            f"{name}: {mebibytes(dump.size_bytes)} in {dump.dump_seconds:.2f} s "
            f"(revision {revision})"
        )
    manifest = write_manifest(pg, directory, dumps, version)
    say(
        f"done: {len(dumps)} databases, {mebibytes(manifest.total_bytes)}, "
        f"{time.monotonic() - started:.2f} s; manifest {directory / 'manifest.json'}"
    )


def restore(source: Path) -> None:
    """Verify the backup, refuse a running stack, then restore every database it holds."""
    running = running_stack_processes(local_dir())
    if running:
        raise BackupError(
            "the stack is running (" + ", ".join(running) + "): stop it first with "
            "`scripts/stack.sh down` (the infrastructure stays up), then restore"
        )
    manifest = verify_backup(source)
    say(
        f"{source}: taken {manifest.created_at} from {manifest.server} "
        f"(PostgreSQL {manifest.postgres_version}); {len(manifest.databases)} databases, "
        f"{mebibytes(manifest.total_bytes)}, checksums verified",
        "restore",
    )
    pg_bin, _ = from_env_sh()
    pg = server(pg_bin)
    say(f"restoring into PostgreSQL {pg.version()} at {pg.address}", "restore")
    started = time.monotonic()
    for done, dump in enumerate(manifest.databases):
        try:
            done_one = restore_database(pg, dump, source)
        except BackupError as exc:
            restored = ", ".join(d.database for d in manifest.databases[:done]) or "none"
            raise BackupError(f"{dump.database}: {exc} (restored before it: {restored})") from exc
        revision = pg.alembic_revision(dump.database)
        if revision != dump.alembic_revision:
            raise BackupError(
                f"{dump.database}: revision {revision} after restore, manifest says "
                f"{dump.alembic_revision}"
            )
        if done_one.closed_connections:
            closed = ", ".join(done_one.closed_connections)
            say(f"{dump.database}: closed the connections still open ({closed})", "restore")
        seconds = done_one.seconds
        say(f"{dump.database}: {mebibytes(dump.size_bytes)} restored in {seconds:.2f} s", "restore")
    say(
        f"done: {len(manifest.databases)} databases in {time.monotonic() - started:.2f} s; "
        "start the stack with `make up` (it migrates a database that is behind)",
        "restore",
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run backup or restore; exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    take = commands.add_parser("backup", help="dump every service database and a manifest")
    take.add_argument("--to", type=Path, help="a new directory (default .local/backups/<time>)")
    take.add_argument("--databases", nargs="+", help="these databases instead (tests, drills)")
    put = commands.add_parser("restore", help="restore a backup into the stopped stack")
    put.add_argument("--from", dest="source", type=Path, required=True, help="backup directory")
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            backup(args.to, args.databases)
        else:
            restore(args.source)
    except BackupError as exc:
        print(f"[{args.command}] ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
