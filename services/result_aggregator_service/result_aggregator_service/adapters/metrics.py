"""Business metrics of the Result Aggregator (registered once per process)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prometheus_client import Counter

from huleedu_service_libs.consumer import Outgoing

NOTIFICATIONS = Counter(
    "huleedu_ras_notifications_total",
    "Teacher notifications written to the outbox, by notification type.",
    ["notification_type"],
)
BOS_REQUESTS = Counter(
    "huleedu_ras_bos_requests_total",
    "Calls to the Batch Orchestrator, by route and outcome (ok, not_found, unavailable, rejected).",
    ["route", "outcome"],
)


def count_notifications(_context: Any, outgoing: Sequence[Outgoing]) -> None:
    """Count the teacher notifications a committed step wrote to the outbox."""
    for event, _key in outgoing:
        NOTIFICATIONS.labels(event.data.notification_type).inc()
