"""The clock every consumer step reads: one real one, injectable so tests can set the time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

# One definition of "now in UTC" for the whole platform: the envelope's default timestamp.
from common_core.envelope import utc_now

__all__ = ["Clock", "utc_now"]

Clock = Callable[[], datetime]
"""Returns the current, timezone-aware time; `utc_now` in production, a FakeClock in tests."""
