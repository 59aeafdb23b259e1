"""Class Management's metrics of the platform contract (documentation/metrics.md); the
matching consumer's own detail is in association_metrics."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter, Gauge

__all__ = [
    "ASSOCIATIONS_CONFIRMED",
    "PENDING_OLDEST_AGE",
    "STUDENTS_IMPORTED",
    "pending_since",
    "students_imported",
]

STUDENTS_IMPORTED = Counter(
    "huleedu_students_imported_total", "Students created by roster imports (new students only)"
)
ASSOCIATIONS_CONFIRMED = Counter(
    "huleedu_associations_confirmed_total",
    "Essay authors confirmed, by who decided (human: the teacher; timeout: the 24 h monitor)",
    ["method"],
)
PENDING_OLDEST_AGE = Gauge(
    "huleedu_associations_pending_oldest_age_seconds",
    "Age of the oldest class batch whose suggested authors await the teacher (0: none)",
)
# Every series of these bounded labels exists from the start (rate() needs the zero).
for _method in ("human", "timeout"):
    ASSOCIATIONS_CONFIRMED.labels(_method)


def students_imported(count: int) -> None:
    """A committed roster import created `count` students."""
    STUDENTS_IMPORTED.inc(count)


def pending_since(oldest: datetime | None, now: datetime) -> None:
    """The oldest pending batch's suggestions went out at `oldest` (None: nothing pending)."""
    PENDING_OLDEST_AGE.set(max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)
