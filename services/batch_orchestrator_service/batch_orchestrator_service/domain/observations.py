"""What the Batch Orchestrator's use cases observed for operators, recorded only once their
transaction committed (the worker and the HTTP composition root hand them to the metrics;
the domain never touches Prometheus)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from common_core.enums import BatchStatus, CourseCode


@dataclass(frozen=True)
class BatchRegistered:
    """A teacher registered a batch for a course."""

    course: CourseCode


@dataclass(frozen=True)
class BatchCompleted:
    """A pipeline finished with its final status."""

    final_status: BatchStatus
    # When the teacher's keyed request was accepted (first runs only); None when unknown.
    requested_at: datetime | None


Observation = BatchRegistered | BatchCompleted
Recorder = Callable[[Sequence[Observation]], None]


def ignore(observations: Sequence[Observation]) -> None:
    """The recorder of processes and tests that export nothing."""
