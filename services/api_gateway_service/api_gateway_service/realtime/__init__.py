"""Realtime: Kafka notifications -> Redis log and `ws:{user_id}` -> each of the user's sockets."""

from api_gateway_service.realtime.runtime import Realtime

__all__ = ["Realtime"]
