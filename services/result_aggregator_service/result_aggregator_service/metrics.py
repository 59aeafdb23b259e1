"""Business metrics of the Result Aggregator (registered once per process)."""

from __future__ import annotations

from prometheus_client import Counter

EVENTS_APPLIED = Counter(
    "huleedu_ras_events_applied_total",
    "Consumed events applied to the result views, by event type.",
    ["event_type"],
)
EVENTS_DUPLICATE = Counter(
    "huleedu_ras_events_duplicate_total",
    "Redelivered events skipped by the inbox, by event type.",
    ["event_type"],
)
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
