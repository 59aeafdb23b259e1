"""Fakes of the aggregator's ports and builders of the events it consumes."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from common_core.enums import (
    BatchStatus,
    CourseCode,
    Language,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
)
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    BatchEssaysRegisteredV1,
    BatchPipelineCompletedV1,
    BatchSpellcheckInitiateCommandV1,
    ELSBatchPhaseOutcomeV1,
    EssayPhaseOutcome,
    EssayRef,
    EssaySlotAssignedV1,
    EssaySpellcheckCompletedV1,
    Misspelling,
)
from common_core.internal_api import BatchPipelineStateV1, PipelinePhaseState
from huleedu_testing.fake_clock import FakeClock
from result_aggregator_service.domain.models import (
    BatchView,
    EssayCounts,
    EssayView,
    count_essays,
)
from result_aggregator_service.domain.ports import (
    BatchViews,
    BosBatch,
    BosUnavailable,
    EssayViews,
    TextUnavailable,
)
from result_aggregator_service.domain.steps import Runner, make_runner
from result_aggregator_service.worker import build_dispatcher, erasure_dispatcher

from .erasure_fakes import FakeErasureViews

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@dataclass
class FakeState:
    """Everything the fakes hold; restored on exit unless committed."""

    batches: dict[str, BatchView] = field(default_factory=dict)
    essays: dict[tuple[str, str], EssayView] = field(default_factory=dict)
    processed: set[tuple[str, UUID]] = field(default_factory=set)
    outbox: list[tuple[EventEnvelope[Any], str]] = field(default_factory=list)
    locks: list[str] = field(default_factory=list)


def _counts_only(essay: EssayView) -> EssayView:
    """The essay as the batch read returns it: its results' counts, not their lists."""
    result, grammar = essay.spellcheck, essay.grammar
    if result is not None:
        result = replace(result, misspellings=None, stored_category_counts=result.category_counts)
    if grammar is not None:
        grammar = replace(grammar, matches=None, stored_category_counts=grammar.category_counts)
    return replace(essay, spellcheck=result, grammar=grammar)


class FakeBatches:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def lock(self, batch_id: str) -> None:
        self.s.locks.append(batch_id)

    async def get(self, batch_id: str) -> BatchView | None:
        return self.s.batches.get(batch_id)

    async def get_with_essays(self, batch_id: str) -> tuple[BatchView | None, list[EssayView]]:
        essays = await FakeEssays(self.s).list_for_batch(batch_id)
        return self.s.batches.get(batch_id), [_counts_only(e) for e in essays]

    async def put(self, batch: BatchView) -> None:
        self.s.batches[batch.batch_id] = batch

    async def list_for_user(
        self, user_id: str, status: BatchStatus | None, limit: int, offset: int
    ) -> tuple[list[tuple[BatchView, EssayCounts]], int]:
        found = sorted(
            (
                b
                for b in self.s.batches.values()
                if b.user_id == user_id and b.is_servable and status in (None, b.status)
            ),
            key=lambda b: (b.created_at, b.batch_id),
            reverse=True,
        )
        page = found[offset : offset + limit]
        return [(b, count_essays(self._essays(b.batch_id))) for b in page], len(found)

    def _essays(self, batch_id: str) -> list[EssayView]:
        return [e for (b, _), e in self.s.essays.items() if b == batch_id]


class FakeEssays:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def get(self, batch_id: str, essay_id: str) -> EssayView | None:
        return self.s.essays.get((batch_id, essay_id))

    async def get_many(self, batch_id: str, essay_ids: Sequence[str]) -> dict[str, EssayView]:
        return {
            i: self.s.essays[(batch_id, i)] for i in essay_ids if (batch_id, i) in self.s.essays
        }

    async def list_for_batch(self, batch_id: str) -> list[EssayView]:
        found = [e for (b, _), e in self.s.essays.items() if b == batch_id]
        return sorted(found, key=lambda e: (e.slot_index is None, e.slot_index or 0, e.essay_id))

    async def put_many(self, essays: Sequence[EssayView]) -> None:
        for essay in essays:
            self.s.essays[(essay.batch_id, essay.essay_id)] = essay

    async def counts(self, batch_id: str) -> EssayCounts:
        return count_essays(await self.list_for_batch(batch_id))


class FakeUnitOfWork:
    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.batches: BatchViews = FakeBatches(state)
        self.essays: EssayViews = FakeEssays(state)
        self.erasure = FakeErasureViews(state)
        self._saved: FakeState | None = None

    async def __aenter__(self) -> FakeUnitOfWork:
        self._saved = copy.deepcopy(self.state)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._saved is not None:  # not committed: roll back
            self.state.__dict__.update(self._saved.__dict__)
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


class FakeBos:
    """BOS's answers by batch id; `down` makes every call fail as after spent retries."""

    def __init__(self) -> None:
        self.states: dict[str, BatchPipelineStateV1] = {}
        self.batches: dict[str, BosBatch] = {}
        self.down = False
        self.calls = 0

    async def pipeline_state(self, batch_id: str) -> BatchPipelineStateV1 | None:
        self.calls += 1
        if self.down:
            raise BosUnavailable("down")
        return self.states.get(batch_id)

    async def batch_for_user(self, batch_id: str, user_id: str) -> BosBatch | None:
        self.calls += 1
        if self.down:
            raise BosUnavailable("down")
        found = self.batches.get(batch_id)
        return found if found is not None and found.user_id == user_id else None


class FakeTexts:
    """Texts by storage id; `down` fails like an unreachable Content Service."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.down = False
        self.asked: list[str] = []

    async def text(self, storage_id: str) -> str | None:
        self.asked.append(storage_id)
        if self.down:
            raise TextUnavailable("refused")
        return self.texts.get(storage_id)


class Events:
    """Envelopes of the consumed events with readable ids and explicit timestamps."""

    def __init__(self, batch_id: str = "batch-1", user_id: str = "teacher-anna") -> None:
        self.batch_id = batch_id
        self.user_id = user_id
        self.essay_ids = [f"essay-{i}" for i in range(3)]

    @staticmethod
    def wrap(data: Any, minute: int) -> EventEnvelope[Any]:
        envelope = EventEnvelope.wrap(data, source_service="test", correlation_id="corr-1")
        return envelope.model_copy(update={"event_timestamp": T0 + timedelta(minutes=minute)})

    def ref(self, i: int) -> EssayRef:
        return EssayRef(
            essay_id=self.essay_ids[i],
            text_storage_id=f"text-{i}",
            original_file_name=f"uppsats-{i}.docx",
            file_upload_id=f"file-{i}",
        )

    def registered(self, minute: int = 0) -> EventEnvelope[Any]:
        return self.wrap(
            BatchEssaysRegisteredV1(
                batch_id=self.batch_id,
                user_id=self.user_id,
                course_code=CourseCode.SV2,
                essay_instructions="Skriv om en plats.",
                expected_essay_count=3,
                essay_ids=self.essay_ids,
                class_id="class-1",
            ),
            minute,
        )

    def slot(self, i: int, minute: int = 1) -> EventEnvelope[Any]:
        return self.wrap(
            EssaySlotAssignedV1(
                batch_id=self.batch_id,
                essay_id=self.essay_ids[i],
                file_upload_id=f"file-{i}",
                text_storage_id=f"text-{i}",
                original_file_name=f"uppsats-{i}.docx",
            ),
            minute,
        )

    def ready(self, minute: int = 2, class_id: str | None = None) -> EventEnvelope[Any]:
        return self.wrap(
            BatchEssaysReadyV1(
                batch_id=self.batch_id,
                user_id=self.user_id,
                course_code=CourseCode.SV2,
                ready_essays=[self.ref(i) for i in range(3)],
                class_id=class_id,
            ),
            minute,
        )

    def initiate(self, minute: int = 3) -> EventEnvelope[Any]:
        return self.wrap(
            BatchSpellcheckInitiateCommandV1(
                batch_id=self.batch_id,
                course_code=CourseCode.SV2,
                language=Language.SWEDISH,
                essays=[self.ref(i) for i in range(3)],
            ),
            minute,
        )

    def result(self, i: int, ok: bool = True, minute: int = 4) -> EventEnvelope[Any]:
        return self.wrap(
            EssaySpellcheckCompletedV1(
                batch_id=self.batch_id,
                essay_id=self.essay_ids[i],
                outcome=OperationOutcome.SUCCESS if ok else OperationOutcome.FAILURE,
                language=Language.SWEDISH,
                original_text_storage_id=f"text-{i}",
                corrected_text_storage_id=f"corrected-{i}" if ok else None,
                misspellings=[Misspelling(word="skärgårdn", start=0, end=9)] if ok else [],
                correction_count=1 if ok else 0,
                word_count=200,
                error_message=None if ok else "text not found",
            ),
            minute,
        )

    def phase_outcome(self, minute: int = 5) -> EventEnvelope[Any]:
        return self.wrap(
            ELSBatchPhaseOutcomeV1(
                batch_id=self.batch_id,
                phase=PhaseName.SPELLCHECK,
                phase_status=PhaseStatus.COMPLETED_WITH_FAILURES,
                essay_outcomes=[
                    EssayPhaseOutcome(essay_id=self.essay_ids[0], outcome=OperationOutcome.SUCCESS),
                    EssayPhaseOutcome(essay_id=self.essay_ids[1], outcome=OperationOutcome.SUCCESS),
                    EssayPhaseOutcome(
                        essay_id=self.essay_ids[2],
                        outcome=OperationOutcome.FAILURE,
                        error_message="spellcheck timed out after 1800 s",
                    ),
                ],
            ),
            minute,
        )

    def completed(self, minute: int = 6) -> EventEnvelope[Any]:
        return self.wrap(
            BatchPipelineCompletedV1(
                batch_id=self.batch_id,
                user_id=self.user_id,
                final_status=BatchStatus.COMPLETED_WITH_FAILURES,
                completed_phases=[PhaseName.SPELLCHECK],
                phase_statuses={PhaseName.SPELLCHECK: PhaseStatus.COMPLETED_WITH_FAILURES},
                successful_essay_count=2,
                failed_essay_count=1,
            ),
            minute,
        )

    def bos_state(self, status: BatchStatus) -> BatchPipelineStateV1:
        terminal = status is BatchStatus.COMPLETED_WITH_FAILURES
        return BatchPipelineStateV1(
            batch_id=self.batch_id,
            user_id=self.user_id,
            status=status,
            accepts_files=False,
            course_code=CourseCode.SV2,
            class_id="class-1",
            expected_essay_count=3,
            requested_pipeline=PhaseName.SPELLCHECK,
            current_phase=None if terminal else PhaseName.SPELLCHECK,
            phases=[
                PipelinePhaseState(
                    phase=PhaseName.SPELLCHECK,
                    status=PhaseStatus.COMPLETED_WITH_FAILURES
                    if terminal
                    else PhaseStatus.IN_PROGRESS,
                    essay_count=3,
                    failed_essay_count=1 if terminal else 0,
                )
            ],
        )


@dataclass
class Views:
    """The worker's dispatch over the fakes."""

    state: FakeState
    bos: FakeBos
    clock: FakeClock
    handling: Runner

    async def deliver(self, *envelopes: EventEnvelope[Any]) -> None:
        dispatcher = build_dispatcher(self.handling, self.bos)
        for envelope in envelopes:
            await dispatcher._handlers[envelope.event_type][1](envelope)

    async def erase(self, envelope: EventEnvelope[Any]) -> None:
        """Deliver a StudentErasureRequestedV1 as the worker's erasure consumer does."""
        await erasure_dispatcher(self.handling)._handlers[envelope.event_type][1](envelope)

    def batch(self, batch_id: str = "batch-1") -> BatchView:
        return self.state.batches[batch_id]

    def essay(self, essay_id: str, batch_id: str = "batch-1") -> EssayView:
        return self.state.essays[(batch_id, essay_id)]

    def notifications(self, notification_type: str) -> list[Any]:
        return [
            env.data
            for env, _ in self.state.outbox
            if env.event_type == "TeacherNotificationRequestedV1"
            and env.data.notification_type == notification_type
        ]


@pytest.fixture
def views() -> Views:
    state, bos, clock = FakeState(), FakeBos(), FakeClock(T0)
    handling = make_runner(
        lambda: FakeUnitOfWork(state), service="result_aggregator_service", clock=clock
    )
    return Views(state, bos, clock, handling)


@pytest.fixture
def events() -> Events:
    return Events()
