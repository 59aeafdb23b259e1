"""Refuse an upload whose essays name another course than the batch, or several courses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from common_core.enums import CourseCode
from file_service.domain.course_header import NamedCourse, find_course

# Files named in the message; the details list them all.
_LISTED_IN_MESSAGE = 5


@dataclass(frozen=True)
class EssayCourse:
    """The course one file's header names."""

    filename: str
    course: NamedCourse


class MixedCourses(Exception):
    """Accepted files name a course other than the batch's, or more than one course."""

    def __init__(
        self, batch_id: str, batch_course: CourseCode | None, offending: list[EssayCourse]
    ) -> None:
        self.batch_id = batch_id
        self.batch_course = batch_course
        self.offending = offending
        self.message = _message(batch_course, offending)
        super().__init__(self.message)

    @property
    def details(self) -> dict[str, Any]:
        """The batch, its course, and {filename: course} for each offending file."""
        return {
            "batch_id": self.batch_id,
            "batch_course": str(self.batch_course) if self.batch_course else None,
            "named_courses": {e.filename: str(e.course.code) for e in self.offending},
        }


def find_mixed_courses(
    batch_id: str,
    batch_course: CourseCode | None,
    essays: Iterable[tuple[str, str]],
    max_lines: int,
) -> MixedCourses | None:
    """The refusal for (filename, text) pairs of accepted files, or None when they agree.

    With a known batch course, every file naming another course offends. Without one (the
    Batch Orchestrator check switched off) the files may only name a single course between
    them. Files whose header names no course never offend.
    """
    named = [
        EssayCourse(filename, course)
        for filename, text in essays
        if (course := find_course(text, max_lines)) is not None
    ]
    if batch_course is not None:
        offending = [e for e in named if e.course.code != batch_course]
    else:
        offending = named if len({e.course.code for e in named}) > 1 else []
    return MixedCourses(batch_id, batch_course, offending) if offending else None


def _message(batch_course: CourseCode | None, offending: list[EssayCourse]) -> str:
    listed = ", ".join(
        f'{e.filename} names {e.course.code} ("{e.course.written}")'
        for e in offending[:_LISTED_IN_MESSAGE]
    )
    if len(offending) > _LISTED_IN_MESSAGE:
        listed += f" and {len(offending) - _LISTED_IN_MESSAGE} more"
    if batch_course is not None:
        return (
            f"These essays name a different course than the batch ({batch_course}): {listed}. "
            "Nothing was stored: upload them to a batch for their course, or correct the header."
        )
    courses = ", ".join(sorted({str(e.course.code) for e in offending}))
    return (
        f"These essays name more than one course ({courses}): {listed}. "
        "Nothing was stored: upload each course's essays to a batch of its own."
    )
