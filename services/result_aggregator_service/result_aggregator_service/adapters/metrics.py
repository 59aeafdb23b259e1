"""Business metrics of the Result Aggregator (registered once per process)."""

from __future__ import annotations

from prometheus_client import Counter

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
