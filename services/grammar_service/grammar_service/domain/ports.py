"""Ports the grammar use case needs; adapters implement them, tests fake them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from common_core.enums import Language, OperationOutcome
from huleedu_service_libs.consumer import UnitOfWork as ConsumerUnitOfWork


class ContentNotFound(Exception):
    """The Content Service has no content with this id (permanent)."""


class ContentUnavailable(Exception):
    """The Content Service is down, slow or failing (transient: retry later)."""


class GrammarCheckerUnavailable(Exception):
    """LanguageTool is down, too slow, failing or behind an open circuit (transient)."""


class GrammarCheckRefused(Exception):
    """LanguageTool answered that it will not check this text (permanent); the reason."""


@dataclass(frozen=True)
class LanguageToolMatch:
    """One match as LanguageTool reports it: offsets in UTF-16 code units of the text sent."""

    offset: int
    length: int
    rule_id: str
    category: str
    issue_type: str
    message: str
    replacements: list[str]


class GrammarChecker(Protocol):
    """LanguageTool: the grammar and style rules of one language over one text."""

    async def check(
        self, text: str, language: Language, disabled_categories: Sequence[str]
    ) -> list[LanguageToolMatch]:
        """The matches in `text`; GrammarCheckerUnavailable or GrammarCheckRefused."""
        ...


class ContentStore(Protocol):
    """Reads essay texts from the Content Service."""

    async def fetch(self, content_id: str) -> bytes:
        """The stored bytes; ContentNotFound or ContentUnavailable."""
        ...


@dataclass(frozen=True)
class GrammarResultRecord:
    """One grammar_results row: the outcome for the request event that caused it."""

    request_event_id: UUID
    batch_id: str
    essay_id: str
    language: str
    outcome: OperationOutcome
    text_storage_id: str
    word_count: int
    match_count: int
    error_message: str | None
    matches: list[dict[str, Any]] = field(default_factory=list)


class ResultRepository(Protocol):
    """grammar_results rows inside a unit of work."""

    async def add(self, record: GrammarResultRecord) -> None:
        """Insert one result."""
        ...


class UnitOfWork(ConsumerUnitOfWork, Protocol):
    """One transaction: inbox claim, result row and outbox events commit together."""

    results: ResultRepository
