"""A backup's manifest: round trip, verification before a restore, live stack processes."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from huleedu_service_libs.backup import (
    MANIFEST_NAME,
    BackupError,
    DatabaseDump,
    Manifest,
    running_stack_processes,
    sha256_of,
    verify_backup,
)

pytestmark = pytest.mark.unit


def a_backup(directory: Path, files: dict[str, bytes]) -> Manifest:
    """A backup directory holding `files` and a manifest that describes them."""
    dumps = []
    for name, content in files.items():
        (directory / f"{name}.dump").write_bytes(content)
        dumps.append(
            DatabaseDump(
                database=name,
                file=f"{name}.dump",
                size_bytes=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                alembic_revision="0003" if name != "huleedu_spellchecker" else None,
                dump_seconds=0.1,
            )
        )
    manifest = Manifest(
        created_at="2026-01-01T02:00:00+00:00",
        server="127.0.0.1:25432",
        postgres_version="15.18",
        databases=dumps,
    )
    (directory / MANIFEST_NAME).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def test_a_manifest_round_trips_through_json(tmp_path: Path) -> None:
    written = a_backup(tmp_path, {"huleedu_file": b"PGDMP-1", "huleedu_spellchecker": b"x"})

    read = Manifest.from_json((tmp_path / MANIFEST_NAME).read_text())

    assert read == written
    assert read.total_bytes == 8
    assert [d.alembic_revision for d in read.databases] == ["0003", None]


def test_an_intact_backup_verifies(tmp_path: Path) -> None:
    written = a_backup(tmp_path, {"huleedu_file": b"PGDMP-file", "huleedu_content": b"PGDMP-c"})

    assert verify_backup(tmp_path) == written


def test_sha256_of_matches_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "big.dump"
    content = os.urandom(3 << 20)  # more than one read chunk
    path.write_bytes(content)

    assert sha256_of(path) == hashlib.sha256(content).hexdigest()


def test_a_directory_without_a_manifest_is_not_a_finished_backup(tmp_path: Path) -> None:
    (tmp_path / "huleedu_file.dump").write_bytes(b"PGDMP")

    with pytest.raises(BackupError, match=r"no manifest\.json"):
        verify_backup(tmp_path)


@pytest.mark.parametrize("raw", ["{", "[]", '{"created_at": "x"}', '{"databases": [{"x": 1}]}'])
def test_a_broken_manifest_is_refused(tmp_path: Path, raw: str) -> None:
    (tmp_path / MANIFEST_NAME).write_text(raw)

    with pytest.raises(BackupError, match="not a backup manifest"):
        verify_backup(tmp_path)


def test_a_missing_dump_file_fails_verification(tmp_path: Path) -> None:
    a_backup(tmp_path, {"huleedu_file": b"PGDMP-file", "huleedu_content": b"PGDMP-c"})
    (tmp_path / "huleedu_content.dump").unlink()

    with pytest.raises(BackupError, match=r"huleedu_content.dump: missing"):
        verify_backup(tmp_path)


def test_a_truncated_dump_fails_verification(tmp_path: Path) -> None:
    a_backup(tmp_path, {"huleedu_file": b"PGDMP-file"})
    (tmp_path / "huleedu_file.dump").write_bytes(b"PGDMP")

    with pytest.raises(BackupError, match=r"5 bytes, the manifest says 10"):
        verify_backup(tmp_path)


def test_a_changed_byte_fails_verification(tmp_path: Path) -> None:
    a_backup(tmp_path, {"huleedu_file": b"PGDMP-file"})
    (tmp_path / "huleedu_file.dump").write_bytes(b"PGDMP-fil3")

    with pytest.raises(BackupError, match="sha256 differs"):
        verify_backup(tmp_path)


def test_a_manifest_cannot_point_outside_its_directory(tmp_path: Path) -> None:
    inner = tmp_path / "backup"
    inner.mkdir()
    manifest = a_backup(inner, {"huleedu_file": b"PGDMP"})
    (tmp_path / "elsewhere.dump").write_bytes(b"PGDMP")
    escaped = DatabaseDump(**{**manifest.databases[0].__dict__, "file": "../elsewhere.dump"})
    moved = Manifest(**{**manifest.__dict__, "databases": [escaped]})
    (inner / MANIFEST_NAME).write_text(moved.to_json())

    with pytest.raises(BackupError, match="not a file name inside the backup directory"):
        verify_backup(inner)


def test_only_live_processes_of_the_stack_count_as_running(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    finished = subprocess.Popen(["/bin/true"])
    finished.wait()
    (run / "file_service-http.pid").write_text(f"{os.getpid()}\n")
    (run / "file_service-worker.pid").write_text(str(finished.pid))
    (run / "content_service-http.pid").write_text("not a pid")
    assert running_stack_processes(tmp_path) == ["file_service-http"]

    (tmp_path / "supervisor.pid").write_text(str(os.getpid()))
    assert running_stack_processes(tmp_path) == ["supervisor", "file_service-http"]


def test_an_empty_local_directory_has_no_running_stack(tmp_path: Path) -> None:
    assert running_stack_processes(tmp_path) == []
