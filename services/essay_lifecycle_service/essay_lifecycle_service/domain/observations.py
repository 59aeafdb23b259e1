"""What the lifecycle steps observed for operators, recorded only once their transaction
committed (the worker hands them to the metrics; the domain never touches Prometheus)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from common_core.enums import PhaseName


@dataclass(frozen=True)
class BatchReady:
    """A batch was announced ready for the first time."""

    partial: bool
    # From its first accepted file's arrival; None when no accepted file arrived (cannot be
    # for a ready batch, but the clock of an old row may be missing).
    upload_to_ready_seconds: float | None


@dataclass(frozen=True)
class PhaseEnded:
    """A batch phase ended (every essay answered, or its deadline passed)."""

    phase: PhaseName
    duration_seconds: float


@dataclass(frozen=True)
class PhasesPastDeadline:
    """Phases the monitor found still running past their deadline after its pass."""

    phase: PhaseName
    count: int


Observation = BatchReady | PhaseEnded | PhasesPastDeadline
Recorder = Callable[[Sequence[Observation]], None]


def ignore(observations: Sequence[Observation]) -> None:
    """The recorder of processes and tests that export nothing."""
