"""Hand-written in-memory fakes of the lifecycle ports, and helpers to drive the steps."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from common_core.enums import (
    CourseCode,
    EssayStatus,
    Language,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
)
from common_core.envelope import EventEnvelope
from common_core.errors import ErrorCode
from common_core.events import (
    BatchEssaysRegisteredV1,
    BatchFileRemovedV1,
    BatchGrammarInitiateCommandV1,
    BatchSpellcheckInitiateCommandV1,
    EssayContentProvisionedV1,
    EssayGrammarCompletedV1,
    EssayRef,
    EssaySpellcheckCompletedV1,
    EssayValidationFailedV1,
    UploadSummary,
)
from essay_lifecycle_service.domain.erasure import erase_essays
from essay_lifecycle_service.domain.events import EventFactory
from essay_lifecycle_service.domain.models import (
    BatchTracker,
    Essay,
    HistoryEntry,
    PhaseEssay,
    PhaseRecord,
    ProvisionedContent,
)
from essay_lifecycle_service.domain.phases import GrammarPhase, SpellcheckPhase
from essay_lifecycle_service.domain.slots import SlotAssignment
from huleedu_service_libs.consumer import StepRunner
from huleedu_testing.fake_clock import FakeClock

from .erasure_fakes import ErasureLog, FakeErasure
from .upload_fakes import FakeUploads, UploadState

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
TIMEOUT = timedelta(minutes=15)
PHASE_TIMEOUT = timedelta(minutes=30)


@dataclass
class FakeState:
    """Everything the fakes hold; copied on enter and restored unless committed."""

    batches: dict[str, BatchTracker] = field(default_factory=dict)
    essays: dict[str, Essay] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    pending: dict[tuple[str, str], ProvisionedContent] = field(default_factory=dict)
    phases: dict[tuple[str, PhaseName], PhaseRecord] = field(default_factory=dict)
    phase_essays: dict[tuple[str, PhaseName], dict[str, PhaseEssay]] = field(default_factory=dict)
    processed: set[tuple[str, UUID]] = field(default_factory=set)
    outbox: list[tuple[EventEnvelope[Any], str]] = field(default_factory=list)
    uploads: UploadState = field(default_factory=UploadState)
    erased: ErasureLog = field(default_factory=ErasureLog)


class FakeBatches:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def lock_exclusive(self, batch_id: str) -> None:
        return None

    async def lock_shared(self, batch_id: str) -> None:
        return None

    async def get(self, batch_id: str) -> BatchTracker | None:
        return self.s.batches.get(batch_id)

    async def get_for_update(self, batch_id: str) -> BatchTracker | None:
        return self.s.batches.get(batch_id)

    async def add(self, batch: BatchTracker) -> bool:
        if batch.batch_id in self.s.batches:
            return False
        self.s.batches[batch.batch_id] = batch
        return True

    async def mark_ready(self, batch_id: str, at: datetime, is_partial: bool) -> None:
        self.s.batches[batch_id] = replace(
            self.s.batches[batch_id], ready_at=at, is_partial=is_partial, reannounce_pending=False
        )

    async def owe_reannouncement(self, batch_id: str) -> None:
        self.s.batches[batch_id] = replace(self.s.batches[batch_id], reannounce_pending=True)

    async def add_validation_failure(
        self, batch_id: str, file_upload_id: str, original_file_name: str, error_code: str
    ) -> bool:
        if (batch_id, file_upload_id) in self.s.failures:
            return False
        self.s.failures[(batch_id, file_upload_id)] = error_code
        return True

    async def count_validation_failures(self, batch_id: str) -> int:
        return sum(1 for b, _ in self.s.failures if b == batch_id)

    async def add_pending(self, content: ProvisionedContent) -> bool:
        key = (content.batch_id, content.file_upload_id)
        if key in self.s.pending:
            return False
        self.s.pending[key] = content
        return True

    async def take_pending(self, batch_id: str) -> list[ProvisionedContent]:
        taken = [c for (b, _), c in self.s.pending.items() if b == batch_id]
        for c in taken:
            del self.s.pending[(batch_id, c.file_upload_id)]
        return taken

    async def remove_pending(self, batch_id: str, file_upload_id: str) -> bool:
        return self.s.pending.pop((batch_id, file_upload_id), None) is not None

    async def overdue(self, now: datetime, limit: int) -> list[str]:
        filled = {e.batch_id for e in self.s.essays.values() if e.has_content}
        late = [
            b
            for b in self.s.batches.values()
            if not b.is_ready and b.readiness_deadline <= now and b.batch_id in filled
        ]
        return [b.batch_id for b in late][:limit]


class FakeEssays:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def add_slots(self, batch_id: str, essay_ids: Sequence[str]) -> None:
        for i, essay_id in enumerate(essay_ids):
            self.s.essays[essay_id] = Essay(essay_id, batch_id, i, EssayStatus.AWAITING_CONTENT)

    async def lock_contents(self, batch_id: str, contents: Sequence[ProvisionedContent]) -> None:
        return None

    async def find_holding_many(
        self, batch_id: str, contents: Sequence[ProvisionedContent]
    ) -> list[Essay]:
        shas = {c.content_sha256 for c in contents}
        files = {c.file_upload_id for c in contents}
        return [
            e
            for e in self.s.essays.values()
            if e.batch_id == batch_id and (e.content_sha256 in shas or e.file_upload_id in files)
        ]

    async def take_free_slots(
        self, batch_id: str, contents: Sequence[ProvisionedContent]
    ) -> list[Essay]:
        free = sorted(
            (
                e
                for e in self.s.essays.values()
                if e.batch_id == batch_id and e.status is EssayStatus.AWAITING_CONTENT
            ),
            key=lambda e: e.slot_index,
        )
        taken = [
            replace(
                slot,
                status=EssayStatus.READY_FOR_PROCESSING,
                file_upload_id=content.file_upload_id,
                original_file_name=content.original_file_name,
                text_storage_id=content.text_storage_id,
                raw_storage_id=content.raw_storage_id,
                content_sha256=content.content_sha256,
            )
            for slot, content in zip(free, contents, strict=False)
        ]
        for essay in taken:
            self.s.essays[essay.essay_id] = essay
        return taken

    async def find_by_file(self, batch_id: str, file_upload_id: str) -> Essay | None:
        return next(
            (
                e
                for e in self.s.essays.values()
                if e.batch_id == batch_id and e.file_upload_id == file_upload_id
            ),
            None,
        )

    async def release_slot(self, essay_id: str) -> None:
        self.s.essays[essay_id] = replace(
            self.s.essays[essay_id],
            status=EssayStatus.AWAITING_CONTENT,
            file_upload_id=None,
            original_file_name=None,
            text_storage_id=None,
            raw_storage_id=None,
            content_sha256=None,
        )

    async def get(self, essay_id: str) -> Essay | None:
        return self.s.essays.get(essay_id)

    async def get_many(self, essay_ids: Sequence[str]) -> list[Essay]:
        return [self.s.essays[i] for i in sorted(essay_ids) if i in self.s.essays]

    async def list_for_batch(self, batch_id: str) -> list[Essay]:
        found = [e for e in self.s.essays.values() if e.batch_id == batch_id]
        return sorted(found, key=lambda e: e.slot_index)

    async def set_status(self, essay_id: str, status: EssayStatus, **fields: Any) -> None:
        self.s.essays[essay_id] = replace(self.s.essays[essay_id], status=status, **fields)

    async def append_history(self, entry: HistoryEntry) -> None:
        self.s.history.append(entry)

    async def append_histories(self, entries: Sequence[HistoryEntry]) -> None:
        self.s.history.extend(entries)

    async def history(self, essay_id: str) -> list[HistoryEntry]:
        return [h for h in self.s.history if h.essay_id == essay_id]


class FakePhases:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def start(
        self,
        batch_id: str,
        phase: PhaseName,
        essays: Sequence[PhaseEssay],
        at: datetime,
        deadline: datetime,
    ) -> None:
        self.s.phases[(batch_id, phase)] = PhaseRecord(
            batch_id, phase, PhaseStatus.IN_PROGRESS, at, deadline
        )
        self.s.phase_essays[(batch_id, phase)] = {e.essay_id: e for e in essays}

    async def lock(self, batch_id: str, phase: PhaseName) -> PhaseRecord | None:
        return self.s.phases.get((batch_id, phase))

    async def record_outcome(
        self,
        batch_id: str,
        phase: PhaseName,
        essay_id: str,
        outcome: OperationOutcome,
        output_storage_id: str | None,
        error_message: str | None,
    ) -> bool:
        members = self.s.phase_essays.get((batch_id, phase), {})
        member = members.get(essay_id)
        if member is None or member.outcome is not None:
            return False
        members[essay_id] = PhaseEssay(essay_id, outcome, output_storage_id, error_message)
        return True

    async def essays(self, batch_id: str, phase: PhaseName) -> list[PhaseEssay]:
        return list(self.s.phase_essays.get((batch_id, phase), {}).values())

    async def finish(
        self, batch_id: str, phase: PhaseName, status: PhaseStatus, at: datetime
    ) -> None:
        self.s.phases[(batch_id, phase)] = replace(self.s.phases[(batch_id, phase)], status=status)

    async def any_started(self, batch_id: str) -> bool:
        return any(b == batch_id for b, _ in self.s.phases)

    async def overdue(self, phase: PhaseName, now: datetime, limit: int) -> list[str]:
        late = sorted(
            (
                p
                for p in self.s.phases.values()
                if p.phase is phase
                and p.status is PhaseStatus.IN_PROGRESS
                and p.deadline is not None
                and p.deadline <= now
            ),
            key=lambda p: (p.deadline, p.batch_id),
        )
        return [p.batch_id for p in late][:limit]


class FakeUnitOfWork:
    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.batches = FakeBatches(state)
        self.essays = FakeEssays(state)
        self.phases = FakePhases(state)
        self.uploads = FakeUploads(state.uploads)
        self.erasure = FakeErasure(state.erased)
        self._saved: FakeState | None = None

    async def __aenter__(self) -> FakeUnitOfWork:
        self._saved = copy.deepcopy(self.state)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._saved is not None:  # not committed: roll back
            self.state.__dict__.update(self._saved.__dict__)
            self.uploads.s = self.state.uploads
            self.erasure.log = self.state.erased
        self._saved = None

    async def claim(self, *, consumer: str, event_id: UUID, event_type: str) -> bool:
        if (consumer, event_id) in self.state.processed:
            return False
        self.state.processed.add((consumer, event_id))
        return True

    async def add_events(self, events: list[tuple[EventEnvelope[Any], str]]) -> None:
        self.state.outbox.extend(events)

    async def commit(self) -> None:
        self._saved = None


@dataclass
class Lifecycle:
    """The steps wired as the worker wires them, over the fakes."""

    state: FakeState
    clock: FakeClock
    handling: StepRunner[FakeUnitOfWork, EventFactory]
    slots: SlotAssignment
    phases: SpellcheckPhase
    grammar: GrammarPhase = field(default_factory=lambda: GrammarPhase(PHASE_TIMEOUT))

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.state)

    async def deliver(self, envelope: EventEnvelope[Any]) -> None:
        step = {
            "BatchEssaysRegisteredV1": self.slots.register,
            "EssayContentProvisionedV1": self.slots.provision,
            "EssayValidationFailedV1": self.slots.validation_failed,
            "BatchFileRemovedV1": self.slots.file_removed,
            "BatchSpellcheckInitiateCommandV1": self.phases.initiate,
            "EssaySpellcheckCompletedV1": self.phases.complete,
            "BatchGrammarInitiateCommandV1": self.grammar.initiate,
            "EssayGrammarCompletedV1": self.grammar.complete,
            "StudentErasureRequestedV1": erase_essays,
        }[envelope.event_type]
        await self.handling.handler(step)(envelope)

    async def deliver_run(self, envelopes: Sequence[EventEnvelope[Any]]) -> None:
        """Provisioned events handed over as one run, as the worker's slots consumer does."""
        await self.handling.many_handler(self.slots.provision_many)(envelopes)

    def published(self, event_type: str) -> list[Any]:
        return [env.data for env, _ in self.state.outbox if env.event_type == event_type]

    def notifications(self, notification_type: str) -> list[Any]:
        return [
            n
            for n in self.published("TeacherNotificationRequestedV1")
            if n.notification_type == notification_type
        ]


@pytest.fixture
def lifecycle() -> Lifecycle:
    return new_lifecycle()


def new_lifecycle() -> Lifecycle:
    """The steps over fresh fakes, the clock at T0."""
    state = FakeState()
    clock = FakeClock(T0)
    handling = StepRunner(
        lambda: FakeUnitOfWork(state),
        consumer="essay_lifecycle_service",
        source_service="essay_lifecycle_service",
        events=EventFactory,
        clock=clock,
    )
    return Lifecycle(
        state, clock, handling, SlotAssignment(TIMEOUT), SpellcheckPhase(PHASE_TIMEOUT)
    )


class EventBuilder:
    """Envelopes of the events ELS consumes, with readable ids."""

    def __init__(
        self, batch_id: str = "batch-1", user_id: str = "teacher-anna", essay_prefix: str = "essay"
    ) -> None:
        self.batch_id = batch_id
        self.user_id = user_id
        self.essay_prefix = essay_prefix

    @staticmethod
    def wrap(data: Any) -> EventEnvelope[Any]:
        return EventEnvelope.wrap(data, source_service="test", correlation_id="corr-1")

    def registered(self, count: int = 3, class_id: str | None = None) -> EventEnvelope[Any]:
        return self.wrap(
            BatchEssaysRegisteredV1(
                batch_id=self.batch_id,
                user_id=self.user_id,
                course_code=CourseCode.SV2,
                essay_instructions="Skriv om en plats.",
                expected_essay_count=count,
                essay_ids=[f"{self.essay_prefix}-{i}" for i in range(count)],
                class_id=class_id,
            )
        )

    def provisioned(
        self, n: int, sha: str | None = None, upload: UploadSummary | None = None
    ) -> EventEnvelope[Any]:
        return self.wrap(
            EssayContentProvisionedV1(
                batch_id=self.batch_id,
                file_upload_id=f"file-{n}",
                original_file_name=f"uppsats-{n}.docx",
                raw_storage_id=f"raw-{n}",
                text_storage_id=f"text-{n}",
                content_sha256=sha or f"sha-{n}",
                file_size_bytes=100,
                char_count=1000,
                word_count=200,
                upload=upload,
            )
        )

    def validation_failed(self, n: int, upload: UploadSummary | None = None) -> EventEnvelope[Any]:
        return self.wrap(
            EssayValidationFailedV1(
                batch_id=self.batch_id,
                file_upload_id=f"file-{n}",
                original_file_name=f"trasig-{n}.pdf",
                error_code=ErrorCode.NO_EXTRACTABLE_TEXT,
                message="Ingen text.",
                upload=upload,
            )
        )

    def removed(self, n: int) -> EventEnvelope[Any]:
        return self.wrap(
            BatchFileRemovedV1(
                batch_id=self.batch_id,
                user_id=self.user_id,
                file_upload_id=f"file-{n}",
                original_file_name=f"uppsats-{n}.docx",
            )
        )

    def initiate(self, essay_ids: Sequence[str]) -> EventEnvelope[Any]:
        return self.wrap(
            BatchSpellcheckInitiateCommandV1(
                batch_id=self.batch_id,
                course_code=CourseCode.SV2,
                language=Language.SWEDISH,
                essays=[EssayRef(essay_id=i, text_storage_id="") for i in essay_ids],
            )
        )

    def completed(self, essay_id: str, ok: bool = True) -> EventEnvelope[Any]:
        return self.wrap(
            EssaySpellcheckCompletedV1(
                batch_id=self.batch_id,
                essay_id=essay_id,
                outcome=OperationOutcome.SUCCESS if ok else OperationOutcome.FAILURE,
                language=Language.SWEDISH,
                original_text_storage_id="text-x",
                corrected_text_storage_id=f"corrected-{essay_id}" if ok else None,
                correction_count=2 if ok else 0,
                word_count=200,
                error_message=None if ok else "text not found",
            )
        )

    def grammar_initiate(
        self, essay_ids: Sequence[str], disabled: Sequence[str] = ()
    ) -> EventEnvelope[Any]:
        """The orchestrator's grammar command (it names each essay's original text)."""
        return self.wrap(
            BatchGrammarInitiateCommandV1(
                batch_id=self.batch_id,
                course_code=CourseCode.SV2,
                language=Language.SWEDISH,
                essays=[
                    EssayRef(essay_id=i, text_storage_id=i.replace("essay-", "text-"))
                    for i in essay_ids
                ],
                disabled_categories=list(disabled),
            )
        )

    def grammar_completed(self, essay_id: str, ok: bool = True) -> EventEnvelope[Any]:
        return self.wrap(
            EssayGrammarCompletedV1(
                batch_id=self.batch_id,
                essay_id=essay_id,
                outcome=OperationOutcome.SUCCESS if ok else OperationOutcome.FAILURE,
                language=Language.SWEDISH,
                text_storage_id=essay_id.replace("essay-", "text-"),
                word_count=200 if ok else 0,
                error_message=None if ok else "LanguageTool did not answer",
            )
        )


@pytest.fixture
def events() -> EventBuilder:
    return EventBuilder()
