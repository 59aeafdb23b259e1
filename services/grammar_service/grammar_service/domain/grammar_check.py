"""The use case: grammar check one requested essay and record exactly one completed event."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog

from common_core.enums import OperationOutcome
from common_core.envelope import EventEnvelope
from common_core.events import EssayGrammarCompletedV1, EssayGrammarRequestedV1, GrammarMatch
from grammar_service.domain.checking import (
    UncheckableText,
    categories_to_disable,
    chunks,
    to_grammar_matches,
    word_count,
)
from grammar_service.domain.observations import EssayGrammarChecked, Recorder, ignore
from grammar_service.domain.ports import (
    ContentNotFound,
    ContentStore,
    GrammarChecker,
    GrammarCheckRefused,
    GrammarResultRecord,
    UnitOfWork,
)
from huleedu_service_libs.consumer import (
    EventFactory,
    HandledEvents,
    Outgoing,
    StepContext,
    StepRunner,
    handled_before,
)
from huleedu_service_libs.essay_header import header_spans, overlaps_header

logger = structlog.get_logger(__name__)

# The event stays far below Kafka's 1 MB limit; the full list is in grammar_results.
MAX_MATCHES_IN_EVENT = 2000


class GrammarCheckEssay:
    """Fetch, check with LanguageTool, then claim + result + outbox in one commit.

    A redelivery is recognised by a cheap inbox read before anything is fetched or checked;
    two deliveries racing past that read both check, and the claim lets one of them commit.
    ContentUnavailable and GrammarCheckerUnavailable propagate (the entrypoint turns them
    into retries); every other way a text can fail ends in one event with outcome failure.
    """

    def __init__(
        self,
        *,
        content: ContentStore,
        checker: GrammarChecker,
        inbox: HandledEvents,
        uow_factory: Callable[[], UnitOfWork],
        source_service: str,
        consumer: str,
        max_chars: int = 200_000,
        chunk_chars: int = 20_000,
        record: Recorder = ignore,
    ) -> None:
        self._content = content
        self._checker = checker
        self._inbox = inbox
        self._consumer = consumer
        self._max_chars = max_chars
        self._chunk_chars = chunk_chars

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

    async def execute(self, request: EventEnvelope[EssayGrammarRequestedV1]) -> bool:
        """Handle one request; False when it was handled before (nothing changes)."""
        if await handled_before(self._inbox, consumer=self._consumer, envelope=request):
            return False
        data = request.data
        # Before the transaction: fetching and checking hold no database connection.
        completed = await self._check(data)

        async def record(
            uow: UnitOfWork, _data: object, ctx: StepContext[EventFactory]
        ) -> list[Outgoing]:
            await uow.results.add(_record(request, completed))
            ctx.observations.append(
                EssayGrammarChecked(
                    completed.language, completed.outcome, [m.category for m in completed.matches]
                )
            )
            return [ctx.events.wrap(_for_the_event(completed), data.batch_id)]

        if not await self._runner.run(request, record):
            return False
        logger.info(
            "essay grammar checked",
            essay_id=data.essay_id,
            outcome=completed.outcome.value,
            matches=len(completed.matches),
            error_message=completed.error_message,
        )
        return True

    async def _check(self, data: EssayGrammarRequestedV1) -> EssayGrammarCompletedV1:
        try:
            raw = await self._content.fetch(data.text_storage_id)
        except ContentNotFound:
            return _failure(data, f"text {data.text_storage_id} not found in Content Service")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _failure(data, "the text is not valid UTF-8")
        try:
            words = word_count(text, max_chars=self._max_chars)
        except UncheckableText as exc:
            return _failure(data, str(exc))
        disabled = categories_to_disable(data.disabled_categories)
        matches: list[GrammarMatch] = []
        for chunk in chunks(text, self._chunk_chars):
            try:
                found = await self._checker.check(chunk.text, data.language, disabled)
            except GrammarCheckRefused as exc:
                return _failure(data, f"LanguageTool refused the text: {exc}")
            matches.extend(to_grammar_matches(chunk, found, disabled))
        # The header lines name the student (essay_header): nothing there is reported, so no
        # event or row holds the name and erasure with `keep` has nothing to remove here.
        header = header_spans(text)
        matches = [m for m in matches if not overlaps_header(m.start, m.end, header)]
        return EssayGrammarCompletedV1(
            batch_id=data.batch_id,
            essay_id=data.essay_id,
            outcome=OperationOutcome.SUCCESS,
            language=data.language,
            text_storage_id=data.text_storage_id,
            matches=matches,
            word_count=words,
        )


def _for_the_event(completed: EssayGrammarCompletedV1) -> EssayGrammarCompletedV1:
    if len(completed.matches) <= MAX_MATCHES_IN_EVENT:
        return completed
    return completed.model_copy(update={"matches": completed.matches[:MAX_MATCHES_IN_EVENT]})


def _failure(data: EssayGrammarRequestedV1, message: str) -> EssayGrammarCompletedV1:
    return EssayGrammarCompletedV1(
        batch_id=data.batch_id,
        essay_id=data.essay_id,
        outcome=OperationOutcome.FAILURE,
        language=data.language,
        text_storage_id=data.text_storage_id,
        error_message=message,
    )


def _record(
    request: EventEnvelope[EssayGrammarRequestedV1], completed: EssayGrammarCompletedV1
) -> GrammarResultRecord:
    return GrammarResultRecord(
        request_event_id=request.event_id,
        batch_id=completed.batch_id,
        essay_id=completed.essay_id,
        language=completed.language.value,
        outcome=completed.outcome,
        text_storage_id=completed.text_storage_id,
        word_count=completed.word_count,
        match_count=len(completed.matches),
        error_message=completed.error_message,
        matches=[m.model_dump(mode="json") for m in completed.matches],
    )
