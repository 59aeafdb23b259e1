"""The grammar use case with hand-written fakes: outcomes, idempotency, outages, refusals."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import pytest
from prometheus_client import REGISTRY

from common_core.enums import CourseCode, Language, OperationOutcome
from common_core.envelope import EventEnvelope
from common_core.events import EssayGrammarCompletedV1, EssayGrammarRequestedV1
from grammar_service.adapters import metrics
from grammar_service.domain.grammar_check import MAX_MATCHES_IN_EVENT, GrammarCheckEssay
from grammar_service.domain.ports import ContentUnavailable, GrammarCheckerUnavailable
from huleedu_service_libs.delivery import tracking_delivery

from .fakes import FakeContentStore, FakeDatabase, FakeGrammarChecker, FakeInbox, FakeUnitOfWork

ESSAY = "The students was tired 😀 after the exam, so he go home early."


@dataclass
class Harness:
    content: FakeContentStore
    checker: FakeGrammarChecker
    db: FakeDatabase
    inbox: FakeInbox
    use_case: GrammarCheckEssay

    def request(
        self,
        text: str | None,
        language: Language = Language.ENGLISH,
        disabled: list[str] | None = None,
    ) -> EventEnvelope[EssayGrammarRequestedV1]:
        text_id = f"t{uuid4().hex}"
        if text is not None:
            self.content.blobs[text_id] = text.encode("utf-8")
        data = EssayGrammarRequestedV1(
            batch_id="batch-1",
            essay_id=f"essay-{uuid4().hex[:6]}",
            text_storage_id=text_id,
            language=language,
            course_code=CourseCode.ENG5 if language is Language.ENGLISH else CourseCode.SV1,
            disabled_categories=disabled or [],
        )
        return EventEnvelope.wrap(data, source_service="els", correlation_id=str(uuid4()))

    def completed(self) -> list[EssayGrammarCompletedV1]:
        return [env.data for env, _ in self.db.outbox]


def make_harness(*, chunk_chars: int = 20_000, max_chars: int = 200_000) -> Harness:
    content = FakeContentStore()
    checker = FakeGrammarChecker({"students was": "GRAMMAR", "he go": "GRAMMAR", "Hi!": "STYLE"})
    db = FakeDatabase()
    inbox = FakeInbox(db)
    use_case = GrammarCheckEssay(
        content=content,
        checker=checker,
        inbox=inbox,
        uow_factory=lambda: FakeUnitOfWork(db),
        source_service="grammar_service",
        consumer="grammar_service.grammar_requests",
        max_chars=max_chars,
        chunk_chars=chunk_chars,
        record=metrics.record,
    )
    return Harness(content, checker, db, inbox, use_case)


@pytest.fixture
def harness() -> Harness:
    return make_harness()


class TestGrammarCheckEssay:
    async def test_success_emits_one_event_with_code_point_offsets(self, harness: Harness) -> None:
        request = harness.request(ESSAY)
        assert await harness.use_case.execute(request)
        [event] = harness.completed()
        assert event.outcome is OperationOutcome.SUCCESS
        assert event.text_storage_id == request.data.text_storage_id
        assert [(m.text, ESSAY[m.start : m.end]) for m in event.matches] == [
            ("students was", "students was"),
            ("he go", "he go"),
        ]
        assert event.word_count == 12
        [(envelope, key)] = harness.db.outbox
        assert key == "batch-1"
        assert envelope.correlation_id == request.correlation_id
        [row] = harness.db.results
        assert (row.request_event_id, row.match_count) == (request.event_id, 2)
        assert row.matches[0]["rule_id"] == "GRAMMAR_RULE"
        assert harness.db.claimed == {request.event_id}

    async def test_spelling_and_the_teachers_categories_are_switched_off(
        self, harness: Harness
    ) -> None:
        await harness.use_case.execute(
            harness.request("Hi! The students was here.", Language.SWEDISH, ["style"])
        )
        [call] = harness.checker.calls
        assert (call.language, call.disabled) == (Language.SWEDISH, ["TYPOS", "STYLE"])
        # LanguageTool honours the list; a match of a disabled category is dropped regardless.
        assert [m.category for m in harness.completed()[0].matches] == ["GRAMMAR"]

    async def test_nothing_is_reported_in_the_header_lines(self, harness: Harness) -> None:
        essay = "Namn: Anna he go Svensson\nKlass: 9B\n\n" + ESSAY
        await harness.use_case.execute(harness.request(essay))
        [event] = harness.completed()
        assert [m.text for m in event.matches] == ["students was", "he go"]
        assert all(m.start > essay.index("\n\n") for m in event.matches)

    async def test_a_long_essay_is_checked_in_chunks_with_offsets_into_the_whole_text(
        self,
    ) -> None:
        harness = make_harness(chunk_chars=1_000)
        essay = "\n\n".join([ESSAY] * 40)
        await harness.use_case.execute(harness.request(essay))
        [event] = harness.completed()
        assert len(harness.checker.calls) > 1
        assert len(event.matches) == 80
        assert all(essay[m.start : m.end] == m.text for m in event.matches)

    async def test_the_event_carries_at_most_the_limit_and_the_row_keeps_all(self) -> None:
        harness = make_harness()
        essay = "he go. " * (MAX_MATCHES_IN_EVENT + 5)
        await harness.use_case.execute(harness.request(essay))
        [event] = harness.completed()
        assert len(event.matches) == MAX_MATCHES_IN_EVENT
        assert harness.db.results[0].match_count == MAX_MATCHES_IN_EVENT + 5

    async def test_redelivery_is_recognised_before_fetching_or_checking(
        self, harness: Harness
    ) -> None:
        request = harness.request(ESSAY)
        assert await harness.use_case.execute(request)
        with tracking_delivery() as delivery:
            assert not await harness.use_case.execute(request)
        assert delivery.duplicate
        assert (len(harness.content.fetches), len(harness.checker.calls)) == (1, 1)
        assert (len(harness.completed()), len(harness.db.results)) == (1, 1)

    async def test_a_redelivery_racing_past_the_inbox_read_is_stopped_by_the_claim(
        self, harness: Harness
    ) -> None:
        request = harness.request(ESSAY)
        await harness.use_case.execute(request)
        harness.inbox.stale = True
        with tracking_delivery() as delivery:
            assert not await harness.use_case.execute(request)
        assert delivery.duplicate
        assert (len(harness.completed()), len(harness.db.results)) == (1, 1)

    @pytest.mark.parametrize("text", ["", "   \n\t", "12 34 !!"])
    async def test_uncheckable_text_is_a_failure_outcome(self, harness: Harness, text: str) -> None:
        await harness.use_case.execute(harness.request(text))
        [event] = harness.completed()
        assert event.outcome is OperationOutcome.FAILURE
        assert event.error_message
        assert harness.checker.calls == []

    async def test_a_text_over_the_limit_is_refused_before_languagetool(self) -> None:
        harness = make_harness(max_chars=100)
        await harness.use_case.execute(harness.request(ESSAY * 3))
        [event] = harness.completed()
        assert event.outcome is OperationOutcome.FAILURE
        assert "longer than 100 characters" in (event.error_message or "")
        assert harness.checker.calls == []

    async def test_missing_or_undecodable_text_is_a_failure_outcome(self, harness: Harness) -> None:
        await harness.use_case.execute(harness.request(None))
        undecodable = harness.request("x")
        harness.content.blobs[undecodable.data.text_storage_id] = b"\xff\xfe\x00bad"
        await harness.use_case.execute(undecodable)
        messages = [e.error_message or "" for e in harness.completed()]
        assert "not found" in messages[0]
        assert "UTF-8" in messages[1]

    async def test_languagetool_refusing_the_text_is_a_failure_outcome(
        self, harness: Harness
    ) -> None:
        harness.checker.refusal = "HTTP 413: text too long"
        await harness.use_case.execute(harness.request(ESSAY))
        [event] = harness.completed()
        assert event.outcome is OperationOutcome.FAILURE
        assert "413" in (event.error_message or "")

    async def test_a_languagetool_outage_raises_records_nothing_then_succeeds(
        self, harness: Harness
    ) -> None:
        request = harness.request(ESSAY)
        harness.checker.down = True
        with pytest.raises(GrammarCheckerUnavailable):
            await harness.use_case.execute(request)
        assert (harness.db.outbox, harness.db.claimed) == ([], set())
        harness.checker.down = False
        assert await harness.use_case.execute(request)
        assert harness.completed()[0].outcome is OperationOutcome.SUCCESS

    async def test_a_content_service_outage_raises_and_records_nothing(
        self, harness: Harness
    ) -> None:
        harness.content.down = True
        with pytest.raises(ContentUnavailable):
            await harness.use_case.execute(harness.request(ESSAY))
        assert harness.db.outbox == []

    async def test_committed_results_are_counted_once(self, harness: Harness) -> None:
        def counts() -> tuple[float, float, float]:
            return (
                _sample("huleedu_essays_grammar_checked_total", language="en", outcome="success"),
                _sample("huleedu_essays_grammar_checked_total", language="en", outcome="failure"),
                _sample("huleedu_grammar_matches_found_total", language="en", category="GRAMMAR"),
            )

        before = counts()
        request = harness.request(ESSAY)
        await harness.use_case.execute(request)
        await harness.use_case.execute(request)  # redelivered: not counted again
        await harness.use_case.execute(harness.request(None))  # a failure outcome
        after = counts()
        assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 2]


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0
