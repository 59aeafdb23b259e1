"""Rich renderings of grammar results: LanguageTool's matches and their counts per category."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from common_core.events import GrammarMatch
from common_core.result_api import GrammarResultV1

# How a grammar match is marked in the original text: unlike a misspelling's bold red.
GRAMMAR_STYLE = "yellow underline"


def grammar_counts(counts: Mapping[str, int] | None) -> str:
    """Matches per LanguageTool category, most first, e.g. "2 GRAMMAR, 1 STYLE" ("—" before)."""
    if counts is None:
        return "—"
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{n} {category}" for category, n in ordered if n) or "0"


def grammar_section(grammar: GrammarResultV1) -> list[Any]:
    """The essay's grammar result: a count line, its error, and a table of its matches."""
    parts: list[Any] = [
        f"grammar {grammar.outcome} ({grammar.language}): {grammar.match_count} matches"
        f" ({grammar_counts(grammar.category_counts)})"
    ]
    if grammar.error_message:
        parts.append(Text(f"error: {grammar.error_message}", style="red"))
    if grammar.matches:
        parts.append(matches_table(grammar.matches))
    return parts


def matches_table(matches: Sequence[GrammarMatch], text: str | None = None) -> Table:
    """One row per match: where (offsets, and line:column when the text is known), what, why."""
    table = Table(title="Grammar")
    table.add_column("text")
    table.add_column("category")
    table.add_column("position", justify="right")
    table.add_column("replacements", overflow="fold")
    table.add_column("message", overflow="fold")
    for match in matches:
        where = f"{match.start}-{match.end}"
        if text is not None and match.start <= len(text):
            where = f"{line_column(text, match.start)} ({where})"
        table.add_row(
            escape(match.text),
            match.category,
            where,
            escape(", ".join(match.replacements) or "—"),
            escape(match.message),
        )
    return table


def line_column(text: str, offset: int) -> str:
    """1-based "line:column" of a code-point offset into the text."""
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return f"{line}:{column}"


def mark_matches(body: Text, text: str, matches: Sequence[GrammarMatch]) -> int:
    """Underline each match whose offsets point at its text; how many were marked."""
    marked = 0
    for match in matches:
        # Offsets from another text version would mark the wrong words: skip, never guess.
        if (
            0 <= match.start < match.end <= len(text)
            and text[match.start : match.end] == match.text
        ):
            body.stylize(GRAMMAR_STYLE, match.start, match.end)
            marked += 1
    return marked
