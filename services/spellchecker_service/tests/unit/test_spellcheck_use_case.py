"""The spellcheck use case with hand-written fakes: outcomes, idempotency, outages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import pytest
from prometheus_client import REGISTRY

from common_core.enums import CourseCode, Language, OperationOutcome
from common_core.envelope import EventEnvelope
from common_core.events import EssaySpellcheckCompletedV1, EssaySpellcheckRequestedV1
from huleedu_service_libs.delivery import tracking_delivery
from spellchecker_service.adapters import metrics
from spellchecker_service.domain.checking import check_text
from spellchecker_service.domain.ports import (
    ContentNotFound,
    ContentUnavailable,
    SpellcheckReport,
    SpellcheckResultRecord,
)
from spellchecker_service.domain.rules import RULES
from spellchecker_service.domain.spellcheck import CORRECTED_CONTENT_TYPE, SpellcheckEssay


class FakeContentStore:
    """Blobs in a dict; `down` makes every call fail like an unreachable service."""

    def __init__(self) -> None:
        self.blobs: dict[str, tuple[bytes, str]] = {}
        self.provenance: dict[str, tuple[str, str]] = {}
        self.down = False

    async def fetch(self, content_id: str) -> bytes:
        if self.down:
            raise ContentUnavailable("connection refused")
        if content_id not in self.blobs:
            raise ContentNotFound(content_id)
        return self.blobs[content_id][0]

    async def store(self, data: bytes, content_type: str, *, holder: str, derived_from: str) -> str:
        if self.down:
            raise ContentUnavailable("connection refused")
        if derived_from not in self.blobs:
            raise ContentNotFound(derived_from)
        content_id = f"c{abs(hash(data))}"
        self.blobs[content_id] = (data, content_type)
        self.provenance[content_id] = (holder, derived_from)
        return content_id


class FakeChecker:
    """Flags the words it is told are wrong and suggests their fix."""

    language = Language.ENGLISH

    def __init__(self, fixes: dict[str, str]) -> None:
        self.fixes = fixes

    def is_correct(self, word: str) -> bool:
        return word.lower() not in self.fixes

    def suggest(self, word: str, limit: int) -> list[str]:
        return [self.fixes[word.lower()]][:limit]

    def frequency(self, word: str) -> float:
        return 0.0  # no frequencies: nothing is joined or lower-cased for being common

    def is_listed_name(self, word: str) -> bool:
        return False


@dataclass
class FakeTextChecker:
    checker: FakeChecker
    languages: list[Language] = field(default_factory=list)

    async def check(self, text: str, language: Language) -> SpellcheckReport:
        self.languages.append(language)
        return check_text(text, self.checker, RULES[language])


@dataclass
class FakeResults:
    rows: list[SpellcheckResultRecord] = field(default_factory=list)

    async def add(self, record: SpellcheckResultRecord) -> None:
        self.rows.append(record)


@dataclass
class FakeDatabase:
    """What is committed: inbox ids, result rows and outbox events."""

    claimed: set[UUID] = field(default_factory=set)
    results: list[SpellcheckResultRecord] = field(default_factory=list)
    outbox: list[tuple[EventEnvelope[Any], str]] = field(default_factory=list)


@dataclass
class FakeInbox:
    """Reads the committed inbox; `stale` answers as if read just before a racing commit."""

    db: FakeDatabase
    stale: bool = False
    reads: int = 0

    async def handled(self, *, consumer: str, event_id: UUID) -> bool:
        self.reads += 1
        return not self.stale and event_id in self.db.claimed


class FakeUnitOfWork:
    """Buffers writes and applies them to the FakeDatabase only on commit."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db
        self.results = FakeResults()
        self._claimed: set[UUID] = set()
        self._events: list[tuple[EventEnvelope[Any], str]] = []

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def claim(self, *, consumer: str, event_id: UUID, event_type: str) -> bool:
        if event_id in self._db.claimed:
            return False
        self._claimed.add(event_id)
        return True

    async def add_events(self, events: list[tuple[EventEnvelope[Any], str]]) -> None:
        self._events.extend(events)

    async def commit(self) -> None:
        self._db.claimed |= self._claimed
        self._db.results.extend(self.results.rows)
        self._db.outbox.extend(self._events)


@dataclass
class Harness:
    content: FakeContentStore
    checker: FakeTextChecker
    db: FakeDatabase
    inbox: FakeInbox
    use_case: SpellcheckEssay

    def request(
        self, text: str | None, language: Language = Language.ENGLISH
    ) -> EventEnvelope[EssaySpellcheckRequestedV1]:
        text_id = f"t{uuid4().hex}"
        if text is not None:
            self.content.blobs[text_id] = (text.encode("utf-8"), "text/plain; charset=utf-8")
        data = EssaySpellcheckRequestedV1(
            batch_id="batch-1",
            essay_id=f"essay-{uuid4().hex[:6]}",
            text_storage_id=text_id,
            language=language,
            course_code=CourseCode.ENG5 if language is Language.ENGLISH else CourseCode.SV1,
        )
        return EventEnvelope.wrap(data, source_service="els", correlation_id=str(uuid4()))

    def completed(self) -> list[EssaySpellcheckCompletedV1]:
        return [env.data for env, _ in self.db.outbox]


@pytest.fixture
def harness() -> Harness:
    content = FakeContentStore()
    checker = FakeTextChecker(FakeChecker({"becuase": "because", "recieve": "receive"}))
    db = FakeDatabase()
    inbox = FakeInbox(db)
    use_case = SpellcheckEssay(
        content=content,
        checker=checker,
        inbox=inbox,
        uow_factory=lambda: FakeUnitOfWork(db),
        source_service="spellchecker_service",
        consumer="spellchecker_service.spellcheck_requests",
        record=metrics.record,
    )
    return Harness(content, checker, db, inbox, use_case)


class TestSpellcheckEssay:
    async def test_success_stores_corrected_text_and_emits_one_event(
        self, harness: Harness
    ) -> None:
        request = harness.request("Becuase we recieve books.")
        assert await harness.use_case.execute(request)
        [event] = harness.completed()
        assert event.outcome is OperationOutcome.SUCCESS
        assert event.original_text_storage_id == request.data.text_storage_id
        assert [(m.word, m.start, m.end, m.suggestions) for m in event.misspellings] == [
            ("Becuase", 0, 7, ["Because"]),
            ("recieve", 11, 18, ["receive"]),
        ]
        assert (event.correction_count, event.word_count) == (2, 4)
        assert event.corrected_text_storage_id is not None
        assert harness.content.blobs[event.corrected_text_storage_id] == (
            b"Because we receive books.",
            CORRECTED_CONTENT_TYPE,
        )
        [(envelope, key)] = harness.db.outbox
        assert key == "batch-1"
        assert envelope.correlation_id == request.correlation_id
        assert harness.db.results[0].request_event_id == request.event_id
        assert harness.db.claimed == {request.event_id}

    async def test_categories_and_explanations_reach_the_event_and_the_stored_row(
        self, harness: Harness
    ) -> None:
        request = harness.request("we recieve books.")
        assert await harness.use_case.execute(request)
        [event] = harness.completed()
        assert [(m.word, m.category.value, m.explanation) for m in event.misspellings] == [
            ("we", "capitalisation", "En mening börjar med stor bokstav."),
            ("recieve", "spelling", ""),
        ]
        stored = harness.db.results[0].misspellings  # the spellcheck_results JSONB column
        assert [(m["word"], m["category"], m["explanation"]) for m in stored] == [
            ("we", "capitalisation", "En mening börjar med stor bokstav."),
            ("recieve", "spelling", ""),
        ]
        assert harness.content.blobs[event.corrected_text_storage_id or ""][0] == (
            b"We receive books."
        )

    async def test_the_corrected_text_is_held_by_the_batch_and_tied_to_its_source(
        self, harness: Harness
    ) -> None:
        request = harness.request("Becuase we recieve books.")
        await harness.use_case.execute(request)
        [event] = harness.completed()
        assert event.corrected_text_storage_id is not None
        assert harness.content.provenance[event.corrected_text_storage_id] == (
            "batch-1",
            request.data.text_storage_id,
        )

    async def test_a_text_erased_while_checked_is_a_failure_outcome(self, harness: Harness) -> None:
        request = harness.request("Becuase we recieve books.")
        fetch = harness.content.fetch

        async def fetch_then_erase(content_id: str) -> bytes:
            data = await fetch(content_id)
            del harness.content.blobs[content_id]  # the student is erased meanwhile
            return data

        harness.content.fetch = fetch_then_erase  # type: ignore[method-assign]
        await harness.use_case.execute(request)
        [event] = harness.completed()
        assert event.outcome is OperationOutcome.FAILURE
        assert "erased" in (event.error_message or "")
        assert harness.content.blobs == {}

    async def test_checks_in_the_requested_language(self, harness: Harness) -> None:
        await harness.use_case.execute(harness.request("Hej och hå.", Language.SWEDISH))
        assert harness.checker.languages == [Language.SWEDISH]
        assert harness.completed()[0].language is Language.SWEDISH

    async def test_clean_text_keeps_its_storage_id(self, harness: Harness) -> None:
        request = harness.request("All words are fine.")
        await harness.use_case.execute(request)
        [event] = harness.completed()
        assert event.corrected_text_storage_id == request.data.text_storage_id
        assert event.misspellings == []

    async def test_redelivery_changes_nothing(self, harness: Harness) -> None:
        request = harness.request("Becuase.")
        assert await harness.use_case.execute(request)
        assert not await harness.use_case.execute(request)
        assert len(harness.completed()) == 1
        assert len(harness.db.results) == 1

    async def test_a_redelivery_is_recognised_before_fetching_or_checking(
        self, harness: Harness
    ) -> None:
        request = harness.request("Becuase.")
        await harness.use_case.execute(request)
        fetches: list[str] = []
        fetch = harness.content.fetch

        async def counting_fetch(content_id: str) -> bytes:
            fetches.append(content_id)
            return await fetch(content_id)

        harness.content.fetch = counting_fetch  # type: ignore[method-assign]
        with tracking_delivery() as delivery:
            assert not await harness.use_case.execute(request)
        assert delivery.duplicate  # counted as outcome="duplicate" by the consumer runner
        assert (fetches, len(harness.checker.languages)) == ([], 1)
        assert harness.inbox.reads == 2

    async def test_a_redelivery_racing_past_the_inbox_read_is_stopped_by_the_claim(
        self, harness: Harness
    ) -> None:
        request = harness.request("Becuase.")
        await harness.use_case.execute(request)
        harness.inbox.stale = True  # the other delivery committed after this one looked
        with tracking_delivery() as delivery:
            assert not await harness.use_case.execute(request)
        assert delivery.duplicate
        assert len(harness.checker.languages) == 2  # the race wastes one check, nothing more
        assert (len(harness.completed()), len(harness.db.results)) == (1, 1)

    async def test_committed_results_are_counted_once(self, harness: Harness) -> None:
        def counts() -> tuple[float, float, float]:
            return (
                _sample("huleedu_essays_spellchecked_total", language="en", outcome="success"),
                _sample("huleedu_essays_spellchecked_total", language="en", outcome="failure"),
                _sample("huleedu_misspellings_found_total", language="en"),
            )

        before = counts()
        request = harness.request("Becuase we recieve books.")
        await harness.use_case.execute(request)
        await harness.use_case.execute(request)  # redelivered: not counted again
        await harness.use_case.execute(harness.request(None))  # a failure outcome
        after = counts()
        assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 2]

    @pytest.mark.parametrize("text", ["", "   \n\t", "12 34 !!"])
    async def test_uncheckable_text_is_a_failure_outcome(self, harness: Harness, text: str) -> None:
        await harness.use_case.execute(harness.request(text))
        [event] = harness.completed()
        assert event.outcome is OperationOutcome.FAILURE
        assert event.error_message
        assert event.corrected_text_storage_id is None
        assert harness.db.results[0].outcome is OperationOutcome.FAILURE

    async def test_missing_text_is_a_failure_outcome(self, harness: Harness) -> None:
        await harness.use_case.execute(harness.request(None))
        [event] = harness.completed()
        assert event.outcome is OperationOutcome.FAILURE
        assert "not found" in (event.error_message or "")

    async def test_content_service_outage_raises_and_records_nothing(
        self, harness: Harness
    ) -> None:
        request = harness.request("Becuase.")
        harness.content.down = True
        with pytest.raises(ContentUnavailable):
            await harness.use_case.execute(request)
        assert harness.db.outbox == []
        assert harness.db.claimed == set()
        harness.content.down = False
        assert await harness.use_case.execute(request)
        assert len(harness.completed()) == 1


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0
