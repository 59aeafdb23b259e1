"""Prometheus metrics of the realtime path (bridge, hub and sockets).

`huleedu_ws_sockets` and `huleedu_ws_deliveries_total` are the names of the platform's metric
contract (documentation/metrics.md); the others are the gateway's own detail.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

CONNECTED_SOCKETS = Gauge("huleedu_ws_sockets", "Teacher WebSockets open and authenticated")
# live: forwarded as it arrived from Redis; replayed: read from the user's notification log
# (a resume, a new socket catching up, or a reconnect of this process to Redis).
LIVE = "live"
REPLAYED = "replayed"
DELIVERIES = Counter(
    "huleedu_ws_deliveries_total",
    "Notification frames queued for a teacher's socket, by kind (live, replayed)",
    ["kind"],
)
for _kind in (LIVE, REPLAYED):  # both series exist from the start (rate() needs the zero)
    DELIVERIES.labels(_kind)
NOTIFICATIONS_BRIDGED = Counter(
    "huleedu_gateway_notifications_bridged_total",
    "Teacher notifications published from Kafka to Redis by this process",
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
GAPS = Counter(
    "huleedu_gateway_ws_gaps_total",
    "Gap messages sent: a socket may have missed notifications the log no longer holds",
    ["reason"],
)
