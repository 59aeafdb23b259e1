"""Realtime: Kafka notifications -> Redis `ws:{user_id}` -> each of the user's WebSockets."""

from api_gateway_service.realtime.runtime import Realtime

__all__ = ["Realtime"]
