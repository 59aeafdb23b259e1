"""A clock for tests: set or advance the time a StepRunner or monitor reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["FakeClock"]


class FakeClock:
    """Callable like `utc_now`; returns `now` until a test moves it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2025, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        """The time the test set."""
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by a timedelta's keyword arguments; returns the new time."""
        self.now += timedelta(**delta)
        return self.now
