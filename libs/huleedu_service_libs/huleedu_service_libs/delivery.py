"""What became of the message a consumer is handling, as code deep inside its handler saw it.

The consumer runner counts each message by outcome; only the inbox, several calls below the
handler, knows that an event was a redelivery. It marks the delivery the runner is tracking.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["Delivery", "mark_duplicate", "tracking_delivery"]


@dataclass
class Delivery:
    """One handler attempt's findings (a run of several events may find several duplicates)."""

    duplicates: int = 0

    @property
    def duplicate(self) -> bool:
        """True if the event (or any event of the run) was handled before."""
        return self.duplicates > 0


_CURRENT: ContextVar[Delivery | None] = ContextVar("huleedu_delivery", default=None)


@contextmanager
def tracking_delivery() -> Iterator[Delivery]:
    """Track what the code run inside finds out about the message being handled."""
    delivery = Delivery()
    token = _CURRENT.set(delivery)
    try:
        yield delivery
    finally:
        _CURRENT.reset(token)


def mark_duplicate() -> None:
    """The event was handled before (no effect outside a tracked delivery)."""
    delivery = _CURRENT.get()
    if delivery is not None:
        delivery.duplicates += 1
