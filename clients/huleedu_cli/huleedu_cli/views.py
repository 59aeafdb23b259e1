"""Rich renderings of the gateway's result models (tables and detail views)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from common_core.enums import FlagCategory
from common_core.events import GrammarMatch, Misspelling
from common_core.result_api import (
    BatchListV1,
    BatchResultV1,
    EssayResultSummaryV1,
    EssayResultV1,
    EssayTextV1,
)
from huleedu_cli.grammar_views import (
    grammar_counts,
    grammar_section,
    mark_matches,
    matches_table,
)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def _num(value: int | None) -> str:
    return "—" if value is None else str(value)


def flag_counts(counts: Mapping[FlagCategory, int] | None, *, zeros: bool = False) -> str:
    """Flagged words per category, e.g. "2 spelling, 1 compound" ("—" before a result)."""
    if counts is None:
        return "—"
    shown = [f"{n} {category.value}" for category, n in counts.items() if n or zeros]
    return ", ".join(shown) or "0"


def batch_list_table(listing: BatchListV1) -> Table:
    """The teacher's batches, newest first."""
    shown = f"{listing.offset + 1}-{listing.offset + len(listing.items)}" if listing.items else "0"
    table = Table(title=f"Batches ({shown} of {listing.total})")
    table.add_column("batch id", overflow="fold")
    table.add_column("course")
    table.add_column("status")
    table.add_column("essays", justify="right")
    table.add_column("processed", justify="right")
    table.add_column("failed", justify="right")
    table.add_column("rejected", justify="right")
    table.add_column("flagged words")
    table.add_column("grammar")
    table.add_column("created")
    for item in listing.items:
        table.add_row(
            item.batch_id,
            item.course_code,
            item.status,
            f"{item.assigned_essay_count}/{item.expected_essay_count}",
            str(item.processed_essay_count),
            str(item.failed_essay_count),
            str(item.rejected_file_count),
            flag_counts(item.category_counts),
            grammar_counts(item.grammar_category_counts),
            _when(item.created_at),
        )
    return table


def batch_summary(batch: BatchResultV1) -> Panel:
    """Status, counts and phases of one batch."""
    lines = [
        f"[bold]course[/bold] {batch.course_code}   [bold]status[/bold] {batch.status}",
        f"[bold]essays[/bold] {batch.assigned_essay_count}/{batch.expected_essay_count} assigned,"
        f" {batch.processed_essay_count} processed, {batch.failed_essay_count} failed,"
        f" {batch.rejected_file_count} file(s) rejected",
    ]
    if batch.processed_essay_count or any(batch.category_counts.values()):
        lines.append(f"[bold]flagged words[/bold] {flag_counts(batch.category_counts, zeros=True)}")
    if batch.grammar_category_counts:
        total = sum(batch.grammar_category_counts.values())
        counted = grammar_counts(batch.grammar_category_counts)
        lines.append(f"[bold]grammar matches[/bold] {total} ({counted})")
    for rejected in batch.rejected_files:
        lines.append(
            f"  ✗ {escape(rejected.filename)}: {escape(rejected.message)} ({rejected.error_code})"
        )
    if batch.class_id:
        lines.append(f"[bold]class[/bold] {escape(batch.class_id)}")
    if batch.requested_pipeline:
        phase = f" (current phase: {batch.current_phase})" if batch.current_phase else ""
        lines.append(f"[bold]pipeline[/bold] {escape(batch.requested_pipeline)}{phase}")
    for state in batch.phases:
        lines.append(
            f"  • {state.phase}: {state.status}"
            f" ({state.essay_count} essays, {state.failed_essay_count} failed)"
        )
    lines.append(
        f"[bold]created[/bold] {_when(batch.created_at)}"
        f"   [bold]completed[/bold] {_when(batch.completed_at)}"
    )
    return Panel("\n".join(lines), title=f"Batch {batch.batch_id}", expand=False)


def essays_table(essays: Sequence[EssayResultSummaryV1], title: str = "Essays") -> Table:
    """One row per essay: file, status, spell-check and grammar counts."""
    table = Table(title=f"{title} ({len(essays)})")
    table.add_column("essay id", overflow="fold")
    table.add_column("file", overflow="fold")
    table.add_column("status")
    table.add_column("misspellings", justify="right")
    table.add_column("by category")
    table.add_column("corrections", justify="right")
    table.add_column("words", justify="right")
    table.add_column("grammar", justify="right")
    table.add_column("grammar by category")
    for essay in essays:
        table.add_row(
            essay.essay_id,
            escape(essay.filename or "—"),
            essay.status,
            _num(essay.misspelling_count),
            flag_counts(essay.category_counts),
            _num(essay.correction_count),
            _num(essay.word_count),
            _num(essay.grammar_match_count),
            grammar_counts(essay.grammar_category_counts),
        )
    return table


def essay_detail(essay: EssayResultV1) -> Group:
    """One essay's flagged words (category, suggestions, why), its grammar matches after them,
    and its corrected text."""
    head = (
        f"[bold]Essay[/bold] {essay.essay_id}  [bold]file[/bold] {escape(essay.filename or '—')}"
        f"  [bold]status[/bold] {essay.status}"
    )
    parts: list[Any] = [head]
    check = essay.spellcheck
    if check is None:
        parts.append(Text("No spell-check result yet."))
    else:
        parts.append(
            f"spellcheck {check.outcome} ({check.language}): {check.misspelling_count}"
            f" misspellings ({flag_counts(check.category_counts, zeros=True)}),"
            f" {check.correction_count} corrections, {check.word_count} words"
        )
        if check.error_message:
            parts.append(Text(f"error: {check.error_message}", style="red"))
        if check.misspellings:
            parts.append(_flags_table(check.misspellings))
    if essay.grammar is not None:  # a spellcheck-only pipeline has none
        parts.extend(grammar_section(essay.grammar))
    if check is not None and check.corrected_text is not None:
        parts.append(Panel(Text(check.corrected_text), title="Corrected text"))
    return Group(*parts)


def _flags_table(misspellings: Sequence[Misspelling]) -> Table:
    table = Table(title="Misspellings")
    table.add_column("word")
    table.add_column("category")
    table.add_column("position", justify="right")
    table.add_column("suggestions", overflow="fold")
    table.add_column("why", overflow="fold")
    for miss in misspellings:
        table.add_row(
            escape(miss.word),
            miss.category.value,
            f"{miss.start}-{miss.end}",
            escape(", ".join(miss.suggestions)),
            escape(miss.explanation or "—"),
        )
    return table


def original_text(
    essay: EssayTextV1,
    misspellings: Sequence[Misspelling],
    grammar_matches: Sequence[GrammarMatch] = (),
) -> Group:
    """The essay as uploaded: each misspelling (its offsets index this text) in bold red, each
    grammar match underlined in yellow, then the grammar matches with line and column."""
    body = Text(essay.text)
    marked = 0
    for miss in misspellings:
        # Offsets from another text version would mark the wrong words: skip, never guess.
        if (
            0 <= miss.start < miss.end <= len(essay.text)
            and essay.text[miss.start : miss.end] == miss.word
        ):
            body.stylize("bold red underline", miss.start, miss.end)
            marked += 1
    grammar_marked = mark_matches(body, essay.text, grammar_matches)
    head = (
        f"[bold]Essay[/bold] {essay.essay_id}  [bold]file[/bold] {escape(essay.filename or '—')}"
        f"  [bold]characters[/bold] {essay.char_count}  [bold]misspellings marked[/bold] {marked}"
        f"  [bold]grammar matches marked[/bold] {grammar_marked}"
    )
    parts: list[Any] = [head, Panel(body, title="Original text")]
    if grammar_matches:
        parts.append(matches_table(grammar_matches, essay.text))
    parts.append(Text(f"text id {essay.text_storage_id}"))
    return Group(*parts)


def files_table(files: Iterable[dict[str, Any]]) -> Table:
    """A batch's uploaded files (fields shown when the gateway sends them)."""
    rows = list(files)
    table = Table(title=f"Files ({len(rows)})")
    columns = ("file_upload_id", "filename", "file_type", "file_size_bytes", "word_count")
    present = [c for c in columns if any(c in row for row in rows)] or list(columns[:3])
    for column in present:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(
            *(escape(str(row.get(c) if row.get(c) is not None else "—")) for c in present)
        )
    return table
