"""What a step gets besides its unit of work and its event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from huleedu_service_libs.consumer.events import EventFactory

__all__ = ["StepContext"]

F = TypeVar("F", bound=EventFactory)


@dataclass(frozen=True)
class StepContext(Generic[F]):
    """The service's event factory (bound to the cause's correlation id) and the times.

    `observations` collects what the step saw for operators (metrics, business counters);
    the runner hands them to its `on_committed` hook only once the transaction committed,
    so a rolled-back step never counts.
    """

    events: F
    now: datetime
    # When the cause happened: the consumed envelope's timestamp, or `now` for a timer.
    event_at: datetime
    # The consumed event's id; None when a timer, not an event, drives the step.
    event_id: UUID | None = None
    observations: list[Any] = field(default_factory=list)

    @classmethod
    def at(cls, events: F, now: datetime) -> StepContext[F]:
        """A context for a step driven by a timer (no consumed event)."""
        return cls(events=events, now=now, event_at=now)
