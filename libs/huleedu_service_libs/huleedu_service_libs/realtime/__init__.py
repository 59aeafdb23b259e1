"""Real-time fan-out over Redis pub/sub: the `ws:{user_id}` channels the gateway forwards."""

from huleedu_service_libs.realtime.redis_pubsub import (
    Payload,
    PubSubMessage,
    RedisPubSub,
    Subscription,
    user_channel,
)

__all__ = ["Payload", "PubSubMessage", "RedisPubSub", "Subscription", "user_channel"]
