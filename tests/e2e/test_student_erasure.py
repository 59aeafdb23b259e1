"""Erasing a student reaches every copy: after DELETE /v1/students/{id}, a dump of every service
database and every Kafka topic holds the student's name and email nowhere; with
`essays=delete` their essay texts and results are gone everywhere, with `essays=keep` they stay
without the student.

"Nowhere" means: no row of any table of any huleedu_* database (text, JSON and bytea, as
written, lower-cased or JSON-escaped) and no record of any topic (value, key, headers, from
the beginning) contains the student's full name, surname or email. The student's file is named
after them and their header names them, as real uploads do. Kafka cannot be erased, so these
never reach it in plaintext (sealed headers, file labels, headers never spell checked); the
databases can, so the erasure event reaches each service that holds a copy.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from huleedu_service_libs.config import InfraSettings
from huleedu_testing.gateway_client import GatewayClient, Notifications
from huleedu_testing.pii_scan import (
    Finding,
    platform_databases,
    scan_databases,
    scan_topics,
)
from huleedu_testing.sample_files import docx_bytes, essay_text

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Pupil:
    """A student with a name no other run or test uses (so the scans see only this one)."""

    first: str
    last: str
    email: str
    student_id: str = ""

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def needles(self) -> list[str]:
        return [self.name, self.last, self.email]


def new_pupil(first: str) -> Pupil:
    tag = "".join(c for c in uuid.uuid4().hex if c.isalpha())[:5]
    last = f"Öberg{tag}"
    return Pupil(first, last, f"{first.lower().replace('å', 'a')}.oberg{tag}@elev.skola.se")


async def eventually(
    probe: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], seconds: float, what: str
) -> Any:
    """Poll until done(probe()) holds; fail naming `what` and the last value."""
    last: Any = None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        last = await probe()
        if done(last):
            return last
        await asyncio.sleep(2.0)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def erased(student_id: str) -> Callable[[dict[str, Any]], bool]:
    """Matches Class Management's notice that the student was erased."""
    return lambda n: (
        n.get("notification_type") == "student_erased"
        and n.get("payload", {}).get("student_id") == student_id
    )


@dataclass
class ProcessedBatch:
    batch_id: str
    essays: dict[str, str]  # student_id -> essay_id
    blobs: dict[str, list[str]]  # student_id -> raw file, text and corrected text ids


async def processed_class_batch(
    teacher: GatewayClient, socket: Notifications, pupils: list[Pupil]
) -> tuple[ProcessedBatch, list[Pupil]]:
    """A class with the pupils, one spell-checked essay each, authors confirmed."""
    school_class = await teacher.create_class(f"9A {uuid.uuid4().hex[:6]}", "ENG5")
    class_id = school_class["class_id"]
    enrolled = []
    for p in pupils:
        body = {
            "first_name": p.first,
            "last_name": p.last,
            "email": p.email,
            "class_ids": [class_id],
        }
        created = await teacher.expect(201, "POST", "/v1/students", json=body)
        enrolled.append(Pupil(p.first, p.last, p.email, created["student_id"]))
    batch = await teacher.register_batch("ENG5", len(enrolled), class_id=class_id)
    batch_id = batch["batch_id"]
    files = [
        (
            f"{p.name}.docx",
            docx_bytes(
                essay_text("en", 320, header=f"Namn: {p.name}\n{p.email}\nKlass: 9A", seed=i)
            ),
        )
        for i, p in enumerate(enrolled, start=31)
    ]
    upload = await teacher.upload(batch_id, files)
    assert upload["accepted_count"] == len(enrolled), upload
    raw = {f["filename"]: f["raw_storage_id"] for f in upload["files"]}
    async with asyncio.timeout(90):
        await socket.wait_for("student_matching_required", batch_id)
    await eventually(
        lambda: teacher.associations(batch_id),
        lambda body: (
            len(body["associations"]) == len(enrolled)
            and all(a["suggested_student_id"] for a in body["associations"])
        ),
        60,
        "every essay's suggested author",
    )
    confirmed = await teacher.confirm_associations(batch_id, accept_suggestions=True)
    essays = {a["student_id"]: a["essay_id"] for a in confirmed["associations"]}
    assert set(essays) == {p.student_id for p in enrolled}, confirmed
    async with asyncio.timeout(90):
        await socket.wait_for("batch_ready", batch_id)
    await teacher.request_pipeline(batch_id)
    async with asyncio.timeout(180):
        await socket.wait_for("batch_results_ready", batch_id)
    blobs = {}
    for p in enrolled:
        result = await teacher.essay(batch_id, essays[p.student_id])
        ids = {
            raw[f"{p.name}.docx"],
            result["text_storage_id"],
            result["spellcheck"]["corrected_text_storage_id"],
        }
        blobs[p.student_id] = sorted(i for i in ids if i)  # one id when nothing was corrected
    return ProcessedBatch(batch_id, essays, blobs), enrolled


async def content_rows(infra: InfraSettings, ids: list[str]) -> int:
    """How many of these blobs the Content Service's database still holds."""
    engine = create_async_engine(infra.database_url("huleedu_content"))
    try:
        async with engine.connect() as conn:
            found = await conn.scalar(
                text("SELECT count(*) FROM content_items WHERE content_id = ANY(:ids)"),
                {"ids": ids},
            )
            return int(found or 0)
    finally:
        await engine.dispose()


async def erase_and_prove_nowhere(
    teacher: GatewayClient, socket: Notifications, pupil: Pupil, query: str
) -> None:
    """Erase, then: nothing in any database (eventually) and nothing on any topic."""
    infra = InfraSettings()
    before = await scan_databases(infra, pupil.needles)
    # The scan sees the student before: its empty answer afterwards is not blindness.
    assert any(f.where.endswith("file_uploads.original_file_name") for f in before), before
    assert not [f for f in before if ".content_items." in f.where], "texts are encrypted at rest"
    await teacher.expect(204, "DELETE", f"/v1/students/{pupil.student_id}{query}")
    async with asyncio.timeout(30):
        await socket.wait_matching(erased(pupil.student_id))

    left: list[Finding] = await eventually(
        lambda: scan_databases(infra, pupil.needles),
        lambda found: not found,
        120,
        f"{pupil.name} gone from every database",
    )
    assert left == []
    on_the_bus = await scan_topics(infra.kafka_bootstrap_servers, pupil.needles)
    assert on_the_bus == [], on_the_bus


async def test_erasing_a_student_with_their_essays_leaves_them_nowhere(
    teacher: GatewayClient,
) -> None:
    socket = await teacher.open_socket()
    try:
        done, (asa, erik) = await processed_class_batch(
            teacher, socket, [new_pupil("Åsa"), new_pupil("Erik")]
        )

        await erase_and_prove_nowhere(teacher, socket, asa, "")  # essays=delete is the default

        gone = f"/v1/batches/{done.batch_id}/essays/{done.essays[asa.student_id]}"
        # The Result Aggregator applies the erasure on its own: its row holds no name to scan.
        await eventually(lambda: teacher.call("GET", gone), lambda r: r[0] == 404, 60, gone)
        assert await content_rows(InfraSettings(), done.blobs[asa.student_id]) == 0
        # Every row about the essay is gone (lifecycle, spell check, results, files, authors,
        # blobs); only the orchestrator keeps the bare ids of the batch's slots.
        infra = InfraSettings()
        ids = [done.essays[asa.student_id], *done.blobs[asa.student_id]]
        services = [d for d in await platform_databases(infra) if d != "huleedu_batch_orchestrator"]
        await eventually(
            lambda: scan_databases(infra, ids, databases=services),
            lambda found: not found,
            60,
            "every row about the deleted essay",
        )
        # Erik's essay, text and results are untouched.
        kept = await teacher.essay(done.batch_id, done.essays[erik.student_id])
        assert kept["spellcheck"]["corrected_text"]
        assert await content_rows(InfraSettings(), done.blobs[erik.student_id]) == len(
            done.blobs[erik.student_id]
        )
        files = await teacher.expect(200, "GET", f"/v1/batches/{done.batch_id}/files")
        assert [f["filename"] for f in files["files"]] == [f"{erik.name}.docx"]
    finally:
        await socket.close()


async def test_erasing_a_student_keeping_their_essays_removes_only_them(
    teacher: GatewayClient,
) -> None:
    socket = await teacher.open_socket()
    try:
        done, (asa, _erik) = await processed_class_batch(
            teacher, socket, [new_pupil("Åsa"), new_pupil("Erik")]
        )

        await erase_and_prove_nowhere(teacher, socket, asa, "?essays=keep")

        kept = await teacher.essay(done.batch_id, done.essays[asa.student_id])
        corrected = kept["spellcheck"]["corrected_text"]
        assert len(corrected) > 1000  # the essay itself is still there ...
        for needle in (asa.name, asa.last, asa.email):
            assert needle not in corrected  # ... without the student
        assert kept["filename"].startswith("essay-")
        files = await teacher.expect(200, "GET", f"/v1/batches/{done.batch_id}/files")
        assert not [f for f in files["files"] if asa.last in f["filename"]]
    finally:
        await socket.close()
