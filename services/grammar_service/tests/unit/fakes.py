"""Hand-written fakes of the Grammar Service's ports, for the unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from common_core.enums import Language
from common_core.envelope import EventEnvelope
from grammar_service.domain.ports import (
    ContentNotFound,
    ContentUnavailable,
    GrammarCheckerUnavailable,
    GrammarCheckRefused,
    GrammarResultRecord,
    LanguageToolMatch,
)


class FakeContentStore:
    """Blobs in a dict; `down` makes every call fail like an unreachable service."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.down = False
        self.fetches: list[str] = []

    async def fetch(self, content_id: str) -> bytes:
        self.fetches.append(content_id)
        if self.down:
            raise ContentUnavailable("connection refused")
        if content_id not in self.blobs:
            raise ContentNotFound(content_id)
        return self.blobs[content_id]


@dataclass
class Call:
    text: str
    language: Language
    disabled: list[str]


class FakeGrammarChecker:
    """Flags every occurrence of the phrases it is given, with LanguageTool's UTF-16 offsets;
    `down` behaves like an unreachable server, `refusal` like a 413."""

    def __init__(self, phrases: dict[str, str]) -> None:
        self.phrases = phrases  # phrase -> category
        self.down = False
        self.refusal: str | None = None
        self.calls: list[Call] = []

    async def check(
        self, text: str, language: Language, disabled_categories: Sequence[str]
    ) -> list[LanguageToolMatch]:
        self.calls.append(Call(text, language, list(disabled_categories)))
        if self.down:
            raise GrammarCheckerUnavailable("connection refused")
        if self.refusal:
            raise GrammarCheckRefused(self.refusal)
        found = []
        for phrase, category in self.phrases.items():
            at = text.find(phrase)
            while at != -1:
                offset = len(text[:at].encode("utf-16-le")) // 2
                length = len(phrase.encode("utf-16-le")) // 2
                found.append(
                    LanguageToolMatch(
                        offset, length, f"{category}_RULE", category, "grammar", "Fix it.", ["x"]
                    )
                )
                at = text.find(phrase, at + 1)
        return sorted(found, key=lambda m: m.offset)


@dataclass
class FakeResults:
    rows: list[GrammarResultRecord] = field(default_factory=list)

    async def add(self, record: GrammarResultRecord) -> None:
        self.rows.append(record)


@dataclass
class FakeDatabase:
    """What is committed: inbox ids, result rows and outbox events."""

    claimed: set[UUID] = field(default_factory=set)
    results: list[GrammarResultRecord] = field(default_factory=list)
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
