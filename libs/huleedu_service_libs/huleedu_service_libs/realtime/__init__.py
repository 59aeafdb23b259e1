"""Real-time fan-out over Redis: `ws:{user_id}` pub/sub channels and each user's resumable log."""

from huleedu_service_libs.realtime.notification_log import (
    LOG_START,
    Appended,
    LogEntry,
    LogRead,
    NotificationLog,
    stream_position,
    with_stream_id,
)
from huleedu_service_libs.realtime.redis_pubsub import (
    Payload,
    PubSubMessage,
    RedisPubSub,
    Subscription,
    user_channel,
)

__all__ = [
    "LOG_START",
    "Appended",
    "LogEntry",
    "LogRead",
    "NotificationLog",
    "Payload",
    "PubSubMessage",
    "RedisPubSub",
    "Subscription",
    "stream_position",
    "user_channel",
    "with_stream_id",
]
