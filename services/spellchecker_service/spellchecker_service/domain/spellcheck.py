"""The use case: check one requested essay and record exactly one completed event for it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog

from common_core.enums import OperationOutcome
from common_core.envelope import EventEnvelope
from common_core.events import EssaySpellcheckCompletedV1, EssaySpellcheckRequestedV1
from huleedu_service_libs.consumer import EventFactory, Outgoing, StepContext, StepRunner
from huleedu_service_libs.delivery import mark_duplicate
from spellchecker_service.domain.checking import UncheckableText
from spellchecker_service.domain.observations import EssayChecked, Recorder, ignore
from spellchecker_service.domain.ports import (
    ContentNotFound,
    ContentStore,
    HandledEvents,
    SpellcheckReport,
    SpellcheckResultRecord,
    TextChecker,
    UnitOfWork,
)

logger = structlog.get_logger(__name__)

CORRECTED_CONTENT_TYPE = "text/plain; charset=utf-8"


class SpellcheckEssay:
    """Fetch, check, store the corrected text, then claim + result + outbox in one commit.

    A redelivery is recognised by a cheap inbox read before anything is fetched or checked;
    two deliveries racing past that read both check, and the claim lets one of them commit.
    ContentUnavailable propagates (the entrypoint turns it into a retry); every other
    way a text can fail still ends in one completed event with outcome failure.
    """

    def __init__(
        self,
        *,
        content: ContentStore,
        checker: TextChecker,
        inbox: HandledEvents,
        uow_factory: Callable[[], UnitOfWork],
        source_service: str,
        consumer: str,
        record: Recorder = ignore,
    ) -> None:
        self._content = content
        self._checker = checker
        self._inbox = inbox
        self._consumer = consumer

        # `record` gets the essay's result only once its transaction committed (the metrics).
        def committed(ctx: StepContext[EventFactory], _outgoing: Sequence[Outgoing]) -> None:
            record(ctx.observations)

        self._runner = StepRunner(
            uow_factory,
            consumer=consumer,
            source_service=source_service,
            events=EventFactory,
            on_committed=committed,
        )

    async def execute(self, request: EventEnvelope[EssaySpellcheckRequestedV1]) -> bool:
        """Handle one request; False when it was handled before (nothing changes)."""
        data = request.data
        if await self._inbox.handled(consumer=self._consumer, event_id=request.event_id):
            # Counted by the consumer runner as huleedu_kafka_messages_total{outcome=duplicate}.
            mark_duplicate()
            logger.info(
                "consumer.event_already_handled",
                consumer=self._consumer,
                event_id=str(request.event_id),
                event_type=request.event_type,
            )
            return False
        # Before the transaction: fetching, checking and storing text hold no connection.
        completed = await self._check(data)

        async def record(
            uow: UnitOfWork, _data: object, ctx: StepContext[EventFactory]
        ) -> list[Outgoing]:
            await uow.results.add(_record(request, completed))
            ctx.observations.append(
                EssayChecked(completed.language, completed.outcome, len(completed.misspellings))
            )
            return [ctx.events.wrap(completed, data.batch_id)]

        if not await self._runner.run(request, record):
            return False
        logger.info(
            "essay spell checked",
            essay_id=data.essay_id,
            outcome=completed.outcome.value,
            misspellings=len(completed.misspellings),
        )
        return True

    async def _check(self, data: EssaySpellcheckRequestedV1) -> EssaySpellcheckCompletedV1:
        try:
            raw = await self._content.fetch(data.text_storage_id)
        except ContentNotFound:
            return _failure(data, f"text {data.text_storage_id} not found in Content Service")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _failure(data, "the text is not valid UTF-8")
        try:
            report = await self._checker.check(text, data.language)
        except UncheckableText as exc:
            return _failure(data, str(exc))
        if report.corrected_text == text:
            return _success(data, report, data.text_storage_id)
        try:
            # Held by the batch and tied to its source, so erasing the essay erases it too.
            corrected_id = await self._content.store(
                report.corrected_text.encode("utf-8"),
                CORRECTED_CONTENT_TYPE,
                holder=data.batch_id,
                derived_from=data.text_storage_id,
            )
        except ContentNotFound:
            return _failure(data, f"text {data.text_storage_id} was erased while it was checked")
        return _success(data, report, corrected_id)


MAX_MISSPELLINGS_IN_EVENT = 2000


def _success(
    data: EssaySpellcheckRequestedV1, report: SpellcheckReport, corrected_id: str
) -> EssaySpellcheckCompletedV1:
    return EssaySpellcheckCompletedV1(
        batch_id=data.batch_id,
        essay_id=data.essay_id,
        outcome=OperationOutcome.SUCCESS,
        language=data.language,
        original_text_storage_id=data.text_storage_id,
        corrected_text_storage_id=corrected_id,
        # The event stays far below Kafka's 1 MB limit; the full list is in spellcheck_results.
        misspellings=report.misspellings[:MAX_MISSPELLINGS_IN_EVENT],
        correction_count=report.correction_count,
        word_count=report.word_count,
    )


def _failure(data: EssaySpellcheckRequestedV1, message: str) -> EssaySpellcheckCompletedV1:
    return EssaySpellcheckCompletedV1(
        batch_id=data.batch_id,
        essay_id=data.essay_id,
        outcome=OperationOutcome.FAILURE,
        language=data.language,
        original_text_storage_id=data.text_storage_id,
        error_message=message,
    )


def _record(
    request: EventEnvelope[EssaySpellcheckRequestedV1], completed: EssaySpellcheckCompletedV1
) -> SpellcheckResultRecord:
    return SpellcheckResultRecord(
        request_event_id=request.event_id,
        batch_id=completed.batch_id,
        essay_id=completed.essay_id,
        language=completed.language.value,
        outcome=completed.outcome,
        original_text_storage_id=completed.original_text_storage_id,
        corrected_text_storage_id=completed.corrected_text_storage_id,
        word_count=completed.word_count,
        correction_count=completed.correction_count,
        misspelling_count=len(completed.misspellings),
        error_message=completed.error_message,
        misspellings=[m.model_dump(mode="json") for m in completed.misspellings],
    )
