"""RequestPipeline with fakes: keys, request ids, replays of a key's first outcome."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api_gateway_service.adapters.downstream import Caller
from api_gateway_service.domain.pipeline_requests import (
    PipelineAcceptance,
    RequestPipeline,
    UnknownBatch,
    request_id_for,
)
from common_core.enums import (
    BatchStatus,
    CourseCode,
    GrammarCategory,
    PipelineName,
    PipelineRequestOutcome,
)
from common_core.errors import ErrorCode
from common_core.events.batch import ClientBatchPipelineRequestV1
from common_core.internal_api import BatchPipelineStateV1, PipelineRequestRecordV1
from huleedu_service_libs.errors import HuleEduError

pytestmark = pytest.mark.unit

TEACHER = Caller("teacher-anna", "corr-now")
SPELL = PipelineName.SPELLCHECK
BOTH = PipelineName.SPELLCHECK_GRAMMAR


class FakeStates:
    """BOS's pipeline state: one batch, and the keys it has handled for its owner."""

    def __init__(self, status: BatchStatus, owner: str = TEACHER.user_id) -> None:
        self.state = BatchPipelineStateV1(
            batch_id="b-1",
            user_id=owner,
            status=status,
            accepts_files=False,
            course_code=CourseCode.SV1,
            expected_essay_count=2,
        )
        self.handled: dict[str, PipelineRequestRecordV1] = {}
        self.asked: list[str | None] = []

    async def pipeline_state(
        self, caller: Caller, batch_id: str, *, idempotency_key: str | None = None
    ) -> BatchPipelineStateV1:
        self.asked.append(idempotency_key)
        if batch_id != self.state.batch_id:
            raise UnknownBatch(batch_id)
        record = self.handled.get(idempotency_key or "") if caller.user_id == self.owner else None
        return self.state.model_copy(update={"pipeline_request": record})

    @property
    def owner(self) -> str:
        return self.state.user_id

    def handle(self, key: str, outcome: PipelineRequestOutcome, **fields: str) -> None:
        """Record a key as BOS does when it consumes the first command under it."""
        self.handled[key] = PipelineRequestRecordV1(
            idempotency_key=key,
            request_id=request_id_for(self.owner, "b-1", key),
            pipeline=SPELL,
            outcome=outcome,
            correlation_id="corr-first",
            handled_at=datetime(2026, 11, 23, tzinfo=UTC),
            **fields,
        )


class FakePublisher:
    def __init__(self) -> None:
        self.sent: list[ClientBatchPipelineRequestV1] = []

    async def publish(self, request: ClientBatchPipelineRequestV1, correlation_id: str) -> None:
        self.sent.append(request)


async def run(states: FakeStates, publisher: FakePublisher, key: str) -> PipelineAcceptance:
    return await RequestPipeline(states, publisher).execute(TEACHER, "b-1", SPELL, key)


class TestRequestPipeline:
    async def test_the_command_carries_the_key_and_the_request_id_derived_from_it(self) -> None:
        states, publisher = FakeStates(BatchStatus.READY_FOR_PIPELINE), FakePublisher()

        accepted = await run(states, publisher, "key-1")

        [command] = publisher.sent
        assert command.idempotency_key == "key-1"
        assert command.client_request_id == accepted.request_id
        assert accepted.request_id == request_id_for(TEACHER.user_id, "b-1", "key-1")
        assert (accepted.replayed, accepted.correlation_id) == (False, "corr-now")
        assert states.asked == ["key-1"]

    async def test_request_ids_differ_per_key_user_and_batch(self) -> None:
        ids = {
            request_id_for("anna", "b-1", "k"),
            request_id_for("bertil", "b-1", "k"),
            request_id_for("anna", "b-2", "k"),
            request_id_for("anna", "b-1", "k2"),
        }
        assert len(ids) == 4

    async def test_a_retry_before_bos_handled_the_first_sends_the_same_request_again(
        self,
    ) -> None:
        states, publisher = FakeStates(BatchStatus.READY_FOR_PIPELINE), FakePublisher()

        first = await run(states, publisher, "key-1")
        retry = await run(states, publisher, "key-1")

        assert retry.request_id == first.request_id
        assert [c.idempotency_key for c in publisher.sent] == ["key-1", "key-1"]

    async def test_a_retry_after_the_first_started_the_pipeline_replays_its_acceptance(
        self,
    ) -> None:
        states, publisher = FakeStates(BatchStatus.PROCESSING), FakePublisher()
        states.handle("key-1", PipelineRequestOutcome.ACCEPTED)

        retry = await run(states, publisher, "key-1")

        assert publisher.sent == []
        assert retry.replayed is True
        assert retry.request_id == request_id_for(TEACHER.user_id, "b-1", "key-1")
        assert retry.correlation_id == "corr-first"

    async def test_a_new_key_on_a_running_batch_is_still_a_conflict(self) -> None:
        states, publisher = FakeStates(BatchStatus.PROCESSING), FakePublisher()
        states.handle("key-1", PipelineRequestOutcome.ACCEPTED)

        with pytest.raises(HuleEduError) as caught:
            await run(states, publisher, "key-2")

        assert caught.value.code is ErrorCode.PIPELINE_ALREADY_RUNNING
        assert publisher.sent == []

    async def test_a_retry_of_a_denied_request_gets_the_same_refusal(self) -> None:
        states, publisher = FakeStates(BatchStatus.PROCESSING), FakePublisher()
        states.handle(
            "key-1",
            PipelineRequestOutcome.DENIED,
            reason_code="PIPELINE_ALREADY_RUNNING",
            reason="A pipeline is already running for the batch.",
        )

        with pytest.raises(HuleEduError) as caught:
            await run(states, publisher, "key-1")

        assert caught.value.code is ErrorCode.PIPELINE_ALREADY_RUNNING
        assert caught.value.message == "A pipeline is already running for the batch."
        assert caught.value.details["replayed"] is True
        assert caught.value.details["idempotency_key"] == "key-1"
        assert publisher.sent == []

    async def test_another_teachers_batch_is_not_found_whatever_the_key(self) -> None:
        states = FakeStates(BatchStatus.PROCESSING, owner="teacher-bertil")
        publisher = FakePublisher()
        states.handle("key-1", PipelineRequestOutcome.ACCEPTED)

        with pytest.raises(HuleEduError) as caught:
            await run(states, publisher, "key-1")

        assert caught.value.code is ErrorCode.BATCH_NOT_FOUND
        assert publisher.sent == []

    async def test_an_unknown_batch_is_not_found(self) -> None:
        states, publisher = FakeStates(BatchStatus.READY_FOR_PIPELINE), FakePublisher()

        with pytest.raises(HuleEduError) as caught:
            await RequestPipeline(states, publisher).execute(TEACHER, "b-404", SPELL, "k")

        assert caught.value.code is ErrorCode.BATCH_NOT_FOUND


class TestGrammarChoice:
    async def test_the_pipeline_and_disabled_categories_go_into_the_command(self) -> None:
        states, publisher = FakeStates(BatchStatus.READY_FOR_PIPELINE), FakePublisher()
        style, casing = GrammarCategory.STYLE, GrammarCategory.CASING

        accepted = await RequestPipeline(states, publisher).execute(
            TEACHER, "b-1", BOTH, "key-g", [style, casing, style]
        )

        [command] = publisher.sent
        assert command.requested_pipeline is BOTH
        assert command.disabled_grammar_categories == [style, casing]
        assert accepted.pipeline is BOTH
        assert accepted.disabled_grammar_categories == (style, casing)

    async def test_the_spellcheck_pipeline_sends_no_categories_by_default(self) -> None:
        states, publisher = FakeStates(BatchStatus.READY_FOR_PIPELINE), FakePublisher()
        await run(states, publisher, "key-s")
        [command] = publisher.sent
        assert (command.requested_pipeline, command.disabled_grammar_categories) == (SPELL, [])

    async def test_a_replay_answers_with_the_first_requests_categories(self) -> None:
        states, publisher = FakeStates(BatchStatus.PROCESSING), FakePublisher()
        states.state = states.state.model_copy(
            update={"requested_pipeline": BOTH, "disabled_grammar_categories": ["STYLE", "NEW"]}
        )
        states.handle("key-1", PipelineRequestOutcome.ACCEPTED)

        retry = await RequestPipeline(states, publisher).execute(
            TEACHER, "b-1", BOTH, "key-1", [GrammarCategory.MISC]
        )

        assert publisher.sent == []
        assert retry.replayed is True
        # The first request's choice stands; an id this gateway does not know is left out.
        assert retry.disabled_grammar_categories == (GrammarCategory.STYLE,)

    async def test_the_same_pipeline_twice_is_a_conflict_another_one_is_not(self) -> None:
        states, publisher = FakeStates(BatchStatus.COMPLETED), FakePublisher()
        states.state = states.state.model_copy(update={"requested_pipeline": SPELL})
        with pytest.raises(HuleEduError) as caught:
            await run(states, publisher, "key-again")
        assert caught.value.code is ErrorCode.PIPELINE_ALREADY_RUNNING
        await RequestPipeline(states, publisher).execute(TEACHER, "b-1", BOTH, "key-both")
        assert [c.requested_pipeline for c in publisher.sent] == [BOTH]
