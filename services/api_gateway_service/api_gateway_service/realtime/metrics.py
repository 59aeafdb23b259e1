"""Prometheus metrics of the realtime path (bridge, hub and sockets)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

CONNECTED_SOCKETS = Gauge(
    "huleedu_gateway_ws_connected_sockets", "WebSockets currently open and authenticated"
)
NOTIFICATIONS_BRIDGED = Counter(
    "huleedu_gateway_notifications_bridged_total",
    "Teacher notifications published from Kafka to Redis by this process",
)
MESSAGES_DELIVERED = Counter(
    "huleedu_gateway_ws_messages_delivered_total",
    "Realtime messages queued for a socket, by message type",
    ["type"],
)
DUPLICATES_DROPPED = Counter(
    "huleedu_gateway_ws_duplicates_dropped_total",
    "Notifications seen again by a socket (same event_id) and not delivered twice",
)
SOCKETS_CLOSED = Counter(
    "huleedu_gateway_ws_closed_total",
    "WebSockets closed by the gateway, by reason",
    ["reason"],
)
REDIS_RESUBSCRIBES = Counter(
    "huleedu_gateway_ws_redis_reconnects_total",
    "Times the hub rebuilt its Redis pub/sub connection and resubscribed its users",
)
REPLAYED = Counter(
    "huleedu_gateway_ws_replayed_total",
    "Notifications delivered to a socket from its user's log (resume or Redis reconnect)",
)
GAPS = Counter(
    "huleedu_gateway_ws_gaps_total",
    "Gap messages sent: a socket may have missed notifications the log no longer holds",
    ["reason"],
)
