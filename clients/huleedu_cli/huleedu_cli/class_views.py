"""Rich renderings of classes, rosters and essay authors (the class_api models)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from common_core.class_api import (
    BatchAssociationsV1,
    ClassDetailV1,
    ClassListV1,
    RosterImportResultV1,
    StudentV1,
)


def class_list_table(listing: ClassListV1) -> Table:
    """The teacher's classes by name."""
    shown = f"{listing.offset + 1}-{listing.offset + len(listing.items)}" if listing.items else "0"
    table = Table(title=f"Classes ({shown} of {listing.total})")
    table.add_column("class id", overflow="fold")
    table.add_column("name", overflow="fold")
    table.add_column("course")
    table.add_column("students", justify="right")
    for item in listing.items:
        table.add_row(item.class_id, escape(item.name), item.course_code, str(item.student_count))
    return table


def class_panel(school_class: ClassDetailV1) -> Panel:
    """Name, course and size of one class."""
    text = (
        f"[bold]name[/bold] {escape(school_class.name)}   [bold]course[/bold] "
        f"{school_class.course_code}   [bold]students[/bold] {len(school_class.students)}"
    )
    return Panel(text, title=f"Class {school_class.class_id}", expand=False)


def students_table(students: Sequence[StudentV1], title: str = "Students") -> Table:
    """One row per student: id, name and email."""
    table = Table(title=f"{title} ({len(students)})")
    table.add_column("student id", overflow="fold")
    table.add_column("name", overflow="fold")
    table.add_column("email", overflow="fold")
    for student in students:
        name = f"{student.first_name} {student.last_name}"
        table.add_row(student.student_id, escape(name), escape(student.email))
    return table


def roster_summary(result: RosterImportResultV1) -> str:
    """One line: how many students were new and how many were already the teacher's."""
    return (
        f"Imported {len(result.students)} students into class {result.class_id}:"
        f" {result.created_count} new, {result.existing_count} already known (enrolled)."
    )


def row_errors_table(rows: Iterable[Mapping[str, Any]]) -> Table:
    """Why each refused roster row was refused (row 1 = the line after the header)."""
    table = Table(title="Rows refused (nothing was imported)")
    table.add_column("row", justify="right")
    table.add_column("field")
    table.add_column("problem", overflow="fold")
    for row in rows:
        table.add_row(
            str(row.get("row", "?")),
            escape(str(row.get("field") or "—")),
            escape(str(row.get("message", ""))),
        )
    return table


def associations_table(batch: BatchAssociationsV1) -> Table:
    """One row per essay: file, what its header said, the (suggested) author and the status."""
    table = Table(title=f"Essay authors of batch {batch.batch_id} ({batch.status})")
    table.add_column("essay id", overflow="fold")
    table.add_column("file", overflow="fold")
    table.add_column("header said", overflow="fold")
    table.add_column("author", overflow="fold")
    table.add_column("confidence", justify="right")
    table.add_column("method")
    table.add_column("status")
    for item in batch.associations:
        said = " / ".join(v for v in (item.parsed_name, item.parsed_email) if v) or "—"
        author = item.student_name or item.student_id or "—"
        if item.student_id and item.student_name:
            author = f"{item.student_name} ({item.student_id})"
        table.add_row(
            item.essay_id,
            escape(item.filename or "—"),
            escape(said),
            escape(author),
            f"{item.confidence:.2f}",
            item.method,
            item.status,
        )
    return table
