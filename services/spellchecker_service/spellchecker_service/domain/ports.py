"""Ports the spellcheck use case needs; adapters implement them, tests fake them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from common_core.enums import Language, OperationOutcome
from common_core.events import Misspelling
from huleedu_service_libs.consumer import UnitOfWork as ConsumerUnitOfWork


class ContentNotFound(Exception):
    """The Content Service has no content with this id (permanent)."""


class ContentUnavailable(Exception):
    """The Content Service is down, slow or failing (transient: retry later)."""


class Lexicon(Protocol):
    """A rule-based dictionary (hunspell's affixes and compounds): the authority on words."""

    def accepts(self, word: str) -> bool:
        """True when the dictionary accepts the word as written."""
        ...

    def suggest(self, word: str) -> list[str]:
        """The dictionary's own corrections, best first: tens of ms a word, so a last resort."""
        ...


class SpellChecker(Protocol):
    """One language's dictionary: is a word correct, and what was probably meant."""

    language: Language

    def is_correct(self, word: str) -> bool:
        """True when the word (as written, any case) is spelled correctly."""
        ...

    def suggest(self, word: str, limit: int) -> list[str]:
        """At most `limit` corrections, best first; never one this checker would flag."""
        ...

    def frequency(self, word: str) -> float:
        """How common the word is in the language (zipf: log10 per billion words; 0 unknown)."""
        ...

    def is_listed_name(self, word: str) -> bool:
        """True when the dictionary lists this capitalised word as a name ("Per", "Sverige")."""
        ...


@dataclass(frozen=True)
class SpellcheckReport:
    """What checking one text found: misspellings, the corrected text and counts."""

    misspellings: list[Misspelling]
    corrected_text: str
    word_count: int
    correction_count: int


class TextChecker(Protocol):
    """Checks a text in a language with dictionaries loaded once per process."""

    async def check(self, text: str, language: Language) -> SpellcheckReport:
        """Check off the event loop; raises UncheckableText when the text cannot be checked."""
        ...


class HandledEvents(Protocol):
    """A cheap look at the inbox before the expensive work, outside any transaction."""

    async def handled(self, *, consumer: str, event_id: UUID) -> bool:
        """True when `consumer` has committed its handling of the event."""
        ...


class ContentStore(Protocol):
    """Fetches and stores texts in the Content Service."""

    async def fetch(self, content_id: str) -> bytes:
        """The stored bytes; ContentNotFound or ContentUnavailable."""
        ...

    async def store(self, data: bytes, content_type: str, *, holder: str, derived_from: str) -> str:
        """Store bytes made from `derived_from` for `holder` (the batch), idempotent by
        content; their id. ContentNotFound when the source is gone; ContentUnavailable."""
        ...


@dataclass(frozen=True)
class SpellcheckResultRecord:
    """One spellcheck_results row: the outcome for the request event that caused it."""

    request_event_id: UUID
    batch_id: str
    essay_id: str
    language: str
    outcome: OperationOutcome
    original_text_storage_id: str
    corrected_text_storage_id: str | None
    word_count: int
    correction_count: int
    misspelling_count: int
    error_message: str | None
    misspellings: list[dict[str, Any]] = field(default_factory=list)


class ResultRepository(Protocol):
    """spellcheck_results rows inside a unit of work."""

    async def add(self, record: SpellcheckResultRecord) -> None:
        """Insert one result."""
        ...


class UnitOfWork(ConsumerUnitOfWork, Protocol):
    """One transaction: inbox claim, result row and outbox events commit together."""

    results: ResultRepository
