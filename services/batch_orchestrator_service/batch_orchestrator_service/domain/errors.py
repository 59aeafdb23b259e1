"""Exceptions the batch use cases raise; the API maps them to error codes."""

from __future__ import annotations

from common_core.enums import PhaseName


class BatchNotFound(Exception):
    """No such batch, or it belongs to another teacher (indistinguishable on purpose)."""

    def __init__(self, batch_id: str) -> None:
        super().__init__(batch_id)
        self.batch_id = batch_id


class UnknownCourse(Exception):
    """The course code is not one the platform supports."""

    def __init__(self, course_code: str) -> None:
        super().__init__(course_code)
        self.course_code = course_code


class PhaseNotRetryable(Exception):
    """The phase has not failed (or something is still running), so there is nothing to retry."""

    def __init__(self, phase: PhaseName, reason: str) -> None:
        super().__init__(reason)
        self.phase = phase
        self.reason = reason


class ClassNotFound(Exception):
    """No such class, or it belongs to another teacher (indistinguishable on purpose)."""

    def __init__(self, class_id: str) -> None:
        super().__init__(class_id)
        self.class_id = class_id


class MixedCourses(Exception):
    """The batch's course is not the course of the class it is registered for."""

    def __init__(self, class_name: str, class_course: str, batch_course: str) -> None:
        super().__init__(
            f"Class '{class_name}' is for {class_course}; this batch is for {batch_course}"
        )
        self.class_name = class_name
        self.class_course = class_course
        self.batch_course = batch_course


class DependencyUnavailable(Exception):
    """A service the use case needs is down, too slow, or its circuit is open."""

    def __init__(self, service: str, retry_after_seconds: float) -> None:
        super().__init__(f"{service} unavailable")
        self.service = service
        self.retry_after_seconds = retry_after_seconds
