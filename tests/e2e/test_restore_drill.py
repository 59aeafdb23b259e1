"""The restore drill: back up, lose every service database, restore, and the teacher has it all.

A teacher creates a class from a roster, runs a class batch to results through the gateway,
then `make backup`; the stack stops, every service database is dropped, `make restore` brings
them back and the stack starts again. Through the gateway the teacher then reads exactly what
they read before (batch, results, original texts, files, class and students, authors), and the
students' names and emails are still only ciphertext at rest: the keys were never in the dump.

The e2e session expects the stack running for later tests, so it is started again whatever
happens; a drill that fails after dropping the databases recreates them empty first.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from huleedu_service_libs.config import InfraSettings
from huleedu_testing.gateway_client import GatewayClient, Notifications
from huleedu_testing.pii_scan import scan_databases
from huleedu_testing.sample_files import docx_bytes, essay_text

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CMS_DATABASE = "huleedu_class_management"


def make(*args: str) -> str:
    """Run a make target of this repository; its output (a failure shows the script's error)."""
    done = subprocess.run(
        ["make", "-s", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"make {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def script(*args: str) -> None:
    """Run one of the stack's scripts; fail with its output."""
    done = subprocess.run(
        ["/bin/bash", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


async def eventually(
    read: Callable[[], Awaitable[dict[str, Any]]], done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Poll `read` until `done` holds (views are updated by their own consumers)."""
    async with asyncio.timeout(60):
        while True:
            body = await read()
            if done(body):
                return body
            await asyncio.sleep(0.5)


def pupils(tag: str) -> list[tuple[str, str, str]]:
    """(first, last, email) of students no other test or run uses."""
    return [
        ("Åsa", f"Öberg{tag}", f"asa.oberg{tag}@elev.skola.se"),
        ("Erik", f"Lindqvist{tag}", f"erik.lindqvist{tag}@elev.skola.se"),
        ("Sara", f"Bergström{tag}", f"sara.bergstrom{tag}@elev.skola.se"),
    ]


async def run_class_batch(
    teacher: GatewayClient,
    socket: Notifications,
    class_name: str,
    roster: list[tuple[str, str, str]],
) -> tuple[str, str]:
    """A class from a roster CSV and a spell-checked batch of its students' essays."""
    school_class = await teacher.create_class(class_name, "ENG5")
    class_id = school_class["class_id"]
    csv = "Namn;E-post\n" + "".join(f"{last}, {first};{email}\n" for first, last, email in roster)
    imported = await teacher.import_roster(class_id, csv.encode(), filename="klasslista.csv")
    assert imported["created_count"] == len(roster), imported
    batch = await teacher.register_batch("ENG5", len(roster), class_id=class_id)
    batch_id = batch["batch_id"]
    files = [
        (
            f"uppsats-{i}.docx",
            docx_bytes(essay_text("en", 300, header=f"Namn: {first} {last}\n{email}", seed=i)),
        )
        for i, (first, last, email) in enumerate(roster, start=41)
    ]
    upload = await teacher.upload(batch_id, files)
    assert upload["accepted_count"] == len(roster), upload
    async with asyncio.timeout(90):
        await socket.wait_for("student_matching_required", batch_id)
    await eventually(
        lambda: teacher.associations(batch_id),
        lambda body: (
            len(body["associations"]) == len(roster)
            and all(a["suggested_student_id"] for a in body["associations"])
        ),
    )
    await teacher.confirm_associations(batch_id, accept_suggestions=True)
    async with asyncio.timeout(90):
        await socket.wait_for("batch_ready", batch_id)
    await teacher.request_pipeline(batch_id)
    async with asyncio.timeout(180):
        await socket.wait_for("batch_results_ready", batch_id)
    await eventually(lambda: teacher.batch(batch_id), lambda body: body["status"] == "completed")
    return class_id, batch_id


async def teacher_view(teacher: GatewayClient, class_id: str, batch_id: str) -> dict[str, Any]:
    """Everything the teacher reads about the class and the batch, through the gateway."""
    batch = await teacher.batch(batch_id)
    view: dict[str, Any] = {
        "batch": batch,
        "class": await teacher.class_detail(class_id),
        "associations": await teacher.associations(batch_id),
        "files": await teacher.expect(200, "GET", f"/v1/batches/{batch_id}/files"),
        "listed": batch_id
        in {b["batch_id"] for b in (await teacher.expect(200, "GET", "/v1/batches"))["items"]},
    }
    for essay in batch["essays"]:
        essay_id = essay["essay_id"]
        view[f"result {essay_id}"] = await teacher.essay(batch_id, essay_id)
        path = f"/v1/batches/{batch_id}/essays/{essay_id}/text"
        view[f"text {essay_id}"] = await teacher.expect(200, "GET", path)
    return view


async def existing(infra: InfraSettings, databases: list[str]) -> list[str]:
    """Which of the databases exist on the server."""
    engine = create_async_engine(infra.database_url("postgres"))
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                text("SELECT datname FROM pg_database WHERE datname = ANY(:names) ORDER BY 1"),
                {"names": databases},
            )
            return [str(row[0]) for row in found]
    finally:
        await engine.dispose()


async def drop(infra: InfraSettings, databases: list[str]) -> None:
    """The disaster: every service database gone."""
    engine = create_async_engine(infra.database_url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for name in databases:
                await conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


async def student_ciphertexts(infra: InfraSettings, student_ids: list[str]) -> list[bytes]:
    """The raw name column of the students' rows, as a dump would show it."""
    engine = create_async_engine(infra.database_url(CMS_DATABASE))
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT name_ciphertext FROM students WHERE student_id = ANY(:ids)"),
                {"ids": student_ids},
            )
            return [bytes(row[0]) for row in rows]
    finally:
        await engine.dispose()


@pytest.mark.timeout(900)
async def test_a_restored_backup_gives_the_teacher_everything_back(
    teacher: GatewayClient, tmp_path: Path
) -> None:
    infra = InfraSettings()
    tag = "".join(c for c in uuid.uuid4().hex if c.isalpha())[:6]
    roster = pupils(tag)
    class_name = f"9A drill {tag}"
    socket = await teacher.open_socket()
    try:
        class_id, batch_id = await run_class_batch(teacher, socket, class_name, roster)
    finally:
        await socket.close()
    before = await teacher_view(teacher, class_id, batch_id)
    student_ids = [s["student_id"] for s in before["class"]["students"]]
    assert len(student_ids) == len(roster), before["class"]

    backup_dir = tmp_path / "backup"
    started = time.monotonic()
    print(make("backup", f"TO={backup_dir}"))
    backup_seconds = time.monotonic() - started
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    databases = [d["database"] for d in manifest["databases"]]
    assert CMS_DATABASE in databases
    assert "huleedu_libs_test" not in databases

    dropped = False
    try:
        script("scripts/stack.sh", "down")
        await drop(infra, databases)
        dropped = True
        assert await existing(infra, databases) == []
        started = time.monotonic()
        print(make("restore", f"FROM={backup_dir}"))
        restore_seconds = time.monotonic() - started
        assert await existing(infra, databases) == sorted(databases)
    finally:
        if dropped:
            # Whatever the restore left missing comes back empty, so the stack can start.
            script("scripts/infra/postgres.sh", "up")
        script("scripts/stack.sh", "up")
    size = sum(d["size_bytes"] for d in manifest["databases"])
    print(
        f"restore drill: {len(databases)} databases, backup {size / (1 << 20):.2f} MiB in "
        f"{backup_seconds:.1f} s, restore {restore_seconds:.1f} s (make, wall clock)"
    )

    after = await teacher_view(teacher, class_id, batch_id)
    assert after == before

    # At rest the students are still Fernet tokens, and no column of the class database holds
    # a name or an email in any form; the class's own name shows the scan can see plaintext.
    tokens = await student_ciphertexts(infra, student_ids)
    assert len(tokens) == len(roster)
    assert all(token.startswith(b"gAAAAA") for token in tokens), tokens
    needles = [part for first, last, email in roster for part in (f"{first} {last}", last, email)]
    assert await scan_databases(infra, needles, databases=[CMS_DATABASE]) == []
    seen = await scan_databases(infra, [class_name], databases=[CMS_DATABASE])
    assert any(f.where.endswith(".classes.name") for f in seen), seen
