"""The WebSocket wire protocol: message shapes and close codes, free of any framework."""

from __future__ import annotations

import json
import time
from typing import Any

from common_core.envelope import EventEnvelope
from common_core.events.notification import TeacherNotificationRequestedV1
from common_core.notifications import DEFAULT_LOCALE, Locale, try_render

# RFC 6455 / IANA codes, plus one application code (4000-4999 are ours).
CLOSE_POLICY_VIOLATION = 1008  # bad, expired or reused ticket; bad token; auth timeout
CLOSE_INTERNAL_ERROR = 1011  # heartbeat timeout; subscription not confirmed
CLOSE_TRY_AGAIN_LATER = 1013  # send queue overflowed: the client reads too slowly
CLOSE_TOO_MANY_CONNECTIONS = 4000  # ws_max_connections_per_user reached in this process
CLOSE_GOING_AWAY = 1001  # the gateway is shutting down

REASON_TOO_SLOW = "too slow"
# Event ids are UUIDs; anything longer than this cannot be one of ours.
MAX_EVENT_ID_LENGTH = 64


def dumps(message: dict[str, Any]) -> str:
    """Compact JSON text frame; non-ASCII text stays readable."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def notification_message(
    envelope: EventEnvelope[TeacherNotificationRequestedV1], locale: Locale = DEFAULT_LOCALE
) -> dict[str, Any]:
    """The `notification` message a teacher's sockets receive for one notification event.

    `message` is the catalogue's text in `locale`; the producer's own text stays when the
    catalogue does not know the code (a newer producer) or lacks a parameter.
    """
    data = envelope.data
    text = try_render(data.notification_type, data.params, locale)
    return {
        "type": "notification",
        "event_id": str(envelope.event_id),
        "notification_type": data.notification_type,
        "category": data.category.value,
        "priority": data.priority.value,
        "batch_id": data.batch_id,
        "class_id": data.class_id,
        "message": data.message if text is None else text,
        "params": data.params,
        "payload": data.payload,
        "action_required": data.action_required,
        "timestamp": envelope.event_timestamp.isoformat(),
        "correlation_id": envelope.correlation_id,
    }


def ready_message(user_id: str) -> str:
    """Sent once the socket is subscribed and caught up (again after a Redis reconnect)."""
    return dumps({"type": "ready", "user_id": user_id})


def gap_message(reason: str) -> str:
    """Notifications may be missing before what follows: the client should refresh over REST."""
    return dumps({"type": "gap", "reason": reason})


def ping_message() -> str:
    """Server heartbeat; the client answers with a pong."""
    return dumps({"type": "ping", "ts": time.time()})


def pong_message() -> str:
    """The answer to a client's ping."""
    return dumps({"type": "pong"})


def resume_position(value: object) -> str | None:
    """A client's `last_event_id` when it is a plausible id, else None."""
    if isinstance(value, str) and 0 < len(value) <= MAX_EVENT_ID_LENGTH:
        return value
    return None


def parse_client_message(text: str) -> dict[str, Any] | None:
    """A client frame as a JSON object, or None when it is anything else."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
