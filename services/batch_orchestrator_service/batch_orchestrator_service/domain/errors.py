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
