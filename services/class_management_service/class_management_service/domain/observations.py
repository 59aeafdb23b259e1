"""What the use cases observed for operators, recorded only once their transaction committed
(the composition roots hand them to the metrics; the domain never touches Prometheus)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from huleedu_service_libs.consumer import Outgoing


@dataclass(frozen=True)
class StudentsImported:
    """A roster import created `count` new students."""

    count: int


@dataclass(frozen=True)
class MatchingCommitted:
    """Author matching's events of one committed transaction (suggestions, decisions,
    confirmations): the metrics count them from the events themselves."""

    outgoing: tuple[Outgoing, ...]


@dataclass(frozen=True)
class OldestPending:
    """How long the oldest class batch awaiting the teacher has waited (0: none is pending)."""

    age_seconds: float


Observation = StudentsImported | MatchingCommitted | OldestPending
Recorder = Callable[[Sequence[Observation]], None]


def ignore(observations: Sequence[Observation]) -> None:
    """The recorder of processes and tests that export nothing."""
