"""Property: no accepted essay is ever stranded, whatever order its upload's events arrive in.

Hypothesis draws uploads of good and bad files, an expected essay count, an interleaving of
every resulting event (accepted and rejected files travel on different topics, so any order
is possible), redeliveries, crashes before commit (the event comes again later) and runs of
the readiness monitor past the deadline. Each example runs ELS's real steps against the real
PostgreSQL schema and checks, after every delivery and at the end:

- a readiness announcement never has zero essays, and is never written while an accepted
  essay of an upload already seen is still on its way;
- an accepted essay is excess only when every slot already holds an accepted essay;
- at the end the last announcement holds every accepted essay (up to the slots), and a batch
  that received only rejected files is never ready and its teacher was told.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from common_core.enums import CourseCode
from common_core.envelope import EventEnvelope
from common_core.errors import ErrorCode
from common_core.events import (
    BatchEssaysRegisteredV1,
    EssayContentProvisionedV1,
    EssayValidationFailedV1,
    UploadSummary,
)
from essay_lifecycle_service.di import make_uow_factory
from essay_lifecycle_service.domain.events import EventFactory
from essay_lifecycle_service.domain.monitor import ReadinessMonitor
from essay_lifecycle_service.domain.slots import SlotAssignment
from huleedu_service_libs.consumer import StepRunner
from huleedu_service_libs.db import make_session_factory
from huleedu_testing import random_id

pytestmark = [pytest.mark.integration, pytest.mark.slow]

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
TIMEOUT = timedelta(minutes=15)
MONITOR = "monitor"


class Crash(Exception):
    """The process died after the step, before its commit."""


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class File:
    upload_id: str
    file_upload_id: str
    good: bool


@dataclass
class Scenario:
    """One batch's events and what the File Service told about them."""

    batch_id: str
    expected: int
    files: list[File]
    envelopes: dict[str, EventEnvelope[Any]] = field(default_factory=dict)

    @property
    def good(self) -> set[str]:
        return {f.file_upload_id for f in self.files if f.good}


def build(batch_id: str, expected: int, uploads: list[list[bool]]) -> Scenario:
    """The events the File Service and BOS would write for these uploads."""
    files: list[File] = []
    envelopes: dict[str, EventEnvelope[Any]] = {
        "registration": wrap(
            BatchEssaysRegisteredV1(
                batch_id=batch_id,
                user_id="teacher-prop",
                course_code=CourseCode.ENG6,
                essay_instructions="Describe a journey.",
                expected_essay_count=expected,
                essay_ids=[random_id() for _ in range(expected)],
            )
        )
    }
    for u, upload in enumerate(uploads):
        summary = UploadSummary(
            upload_id=f"u{u}",
            accepted_count=sum(upload),
            rejected_count=len(upload) - sum(upload),
        )
        for i, good in enumerate(upload):
            file = File(summary.upload_id, f"{batch_id}-{u}-{i}", good)
            files.append(file)
            envelopes[file.file_upload_id] = wrap(
                _accepted(batch_id, file, summary) if good else _rejected(batch_id, file, summary)
            )
    return Scenario(batch_id, expected, files, envelopes)


def wrap(data: Any) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(data, source_service="prop", correlation_id=random_id())


def _accepted(batch_id: str, file: File, upload: UploadSummary) -> EssayContentProvisionedV1:
    return EssayContentProvisionedV1(
        batch_id=batch_id,
        file_upload_id=file.file_upload_id,
        original_file_name=f"{file.file_upload_id}.docx",
        raw_storage_id=f"raw-{file.file_upload_id}",
        text_storage_id=f"text-{file.file_upload_id}",
        content_sha256=file.file_upload_id.replace("-", "").ljust(64, "0")[:64],
        file_size_bytes=2048,
        char_count=1800,
        word_count=320,
        upload=upload,
    )


def _rejected(batch_id: str, file: File, upload: UploadSummary) -> EssayValidationFailedV1:
    return EssayValidationFailedV1(
        batch_id=batch_id,
        file_upload_id=file.file_upload_id,
        original_file_name=f"{file.file_upload_id}.txt",
        error_code=ErrorCode.CONTENT_TOO_SHORT,
        message="The essay is too short.",
        upload=upload,
    )


class Harness:
    """ELS's steps over one engine; delivers envelopes, may crash one before commit."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.clock = Clock()
        self._factory = make_uow_factory(make_session_factory(engine))
        self._crash_next = False
        self.handling = StepRunner(
            self._uow, consumer="els", source_service="els", events=EventFactory, clock=self.clock
        )
        self.slots = SlotAssignment(TIMEOUT)
        self.monitor = ReadinessMonitor(self._factory, source_service="els", clock=self.clock)

    def _uow(self) -> Any:
        uow = self._factory()
        if self._crash_next:
            self._crash_next = False

            async def crash() -> None:
                raise Crash

            uow.commit = crash  # type: ignore[method-assign]
        return uow

    async def deliver(self, envelope: EventEnvelope[Any], *, crash: bool) -> bool:
        """Handle one event; False when the process 'died' before committing it."""
        step = {
            "BatchEssaysRegisteredV1": self.slots.register,
            "EssayContentProvisionedV1": self.slots.provision,
            "EssayValidationFailedV1": self.slots.validation_failed,
        }[envelope.event_type]
        self._crash_next = crash
        try:
            await self.handling.handler(step)(envelope)
        except Crash:
            return False
        return True

    async def run_monitor(self) -> None:
        self.clock.now = T0 + TIMEOUT + timedelta(minutes=1)
        try:
            await self.monitor.announce_overdue_batches()
        finally:
            self.clock.now = T0

    async def outbox(self, batch_id: str, event_type: str) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            payloads = await conn.scalars(
                text("SELECT payload FROM event_outbox WHERE event_type = :t ORDER BY id"),
                {"t": event_type},
            )
            datas = [json.loads(p)["data"] for p in payloads]
        return [d for d in datas if d.get("batch_id") == batch_id]

    async def placed(self, batch_id: str) -> set[str]:
        async with self.engine.connect() as conn:
            found = await conn.scalars(
                text(
                    "SELECT file_upload_id FROM essays WHERE batch_id = :b"
                    " AND file_upload_id IS NOT NULL"
                ),
                {"b": batch_id},
            )
            return set(found)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[int, list[list[bool]]]:
    expected = draw(st.integers(min_value=1, max_value=5))
    uploads = draw(
        st.lists(st.lists(st.booleans(), min_size=1, max_size=5), min_size=1, max_size=3)
    )
    return expected, uploads


async def play(harness: Harness, scenario: Scenario, data: st.DataObject) -> None:
    """Deliver every event in a drawn order with redeliveries, crashes and monitor runs."""
    queue = list(scenario.envelopes)
    queue = data.draw(st.permutations(queue), label="order")
    extra = data.draw(st.lists(st.sampled_from(queue), max_size=4), label="redeliveries")
    for name in extra:
        queue.insert(data.draw(st.integers(0, len(queue)), label="at"), name)
    monitor_runs = data.draw(st.integers(0, 2), label="monitor runs")
    for _ in range(monitor_runs):
        queue.insert(data.draw(st.integers(0, len(queue)), label="monitor at"), MONITOR)
    delivered: set[str] = set()
    crashes = 0
    while queue:
        name = queue.pop(0)
        ready_before = len(await harness.outbox(scenario.batch_id, "BatchEssaysReadyV1"))
        if name == MONITOR:
            await harness.run_monitor()
        else:
            crash = crashes < 3 and data.draw(st.integers(0, 5), label=f"crash {name}") == 5
            if not await harness.deliver(scenario.envelopes[name], crash=crash):
                crashes += 1
                queue.insert(data.draw(st.integers(0, len(queue)), label="again at"), name)
                continue
            delivered.add(name)
        await check_announcements(harness, scenario, delivered, ready_before)


async def check_announcements(
    harness: Harness, scenario: Scenario, delivered: set[str], ready_before: int
) -> None:
    """A new announcement holds essays and every accepted essay of the uploads seen so far."""
    announcements = await harness.outbox(scenario.batch_id, "BatchEssaysReadyV1")
    if len(announcements) == ready_before:
        return
    newest = announcements[-1]
    files = {r["file_upload_id"] for r in newest["ready_essays"]}
    assert files, "a batch is never announced ready with zero essays"
    seen = {f.upload_id for f in scenario.files if f.file_upload_id in delivered}
    owed = {f.file_upload_id for f in scenario.files if f.good and f.upload_id in seen}
    assert owed <= delivered, "announced while accepted essays of a seen upload were in flight"
    assert files <= owed
    assert len(files) == min(len(owed), scenario.expected), "an accepted essay was left out"


async def check_final(harness: Harness, scenario: Scenario) -> None:
    """Everything delivered: every accepted essay placed (up to the slots), or said why not."""
    batch_id = scenario.batch_id
    good = scenario.good
    announcements = await harness.outbox(batch_id, "BatchEssaysReadyV1")
    placed = await harness.placed(batch_id)
    excess = await harness.outbox(batch_id, "ExcessContentProvisionedV1")
    assert placed <= good
    assert len(placed) == min(len(good), scenario.expected)
    assert {e["file_upload_id"] for e in excess} == good - placed
    assert {e["reason"] for e in excess} <= {"no_free_slot"}
    notifications = await harness.outbox(batch_id, "TeacherNotificationRequestedV1")
    if not good:
        assert announcements == [], "a batch with no accepted essay is never ready"
        kinds = {n["notification_type"] for n in notifications}
        assert "batch_no_usable_essays" in kinds, "the teacher must be told to upload again"
        return
    assert announcements, "a batch holding accepted essays is announced by the deadline"
    assert {r["file_upload_id"] for r in announcements[-1]["ready_essays"]} == placed
    told_excess = [n for n in notifications if n["notification_type"] == "excess_content"]
    assert {n["payload"]["reason"] for n in told_excess} <= {"no_free_slot"}
    assert len(told_excess) == len(excess)


def run_properties(url: str, schema: str) -> None:
    """Hypothesis drives plain functions, so each example runs on this thread's own loop."""
    with asyncio.Runner() as runner:
        engine = create_async_engine(
            url, connect_args={"server_settings": {"search_path": schema}}, pool_size=5
        )
        harness = Harness(engine)

        @settings(
            max_examples=60,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(shape=scenarios(), data=st.data())
        def property_holds(shape: tuple[int, list[list[bool]]], data: st.DataObject) -> None:
            expected, uploads = shape
            scenario = build(random_id(), expected, uploads)

            async def example() -> None:
                await play(harness, scenario, data)
                await harness.run_monitor()
                await check_final(harness, scenario)

            runner.run(example())

        try:
            property_holds()
        finally:
            runner.run(engine.dispose())


async def test_no_accepted_essay_is_stranded_in_any_order(
    els_engine: AsyncEngine, els_schema: str
) -> None:
    url = els_engine.url.render_as_string(hide_password=False)
    await asyncio.to_thread(run_properties, url, els_schema)
