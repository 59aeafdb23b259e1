"""`Realtime`: the gateway's notification bridge, hub, tickets and `/ws`, with one lifecycle."""

from __future__ import annotations

import redis.asyncio as aioredis
from fastapi import APIRouter

from api_gateway_service.auth import TokenVerifier
from api_gateway_service.config import GatewaySettings
from api_gateway_service.realtime.bridge import NotificationBridge
from api_gateway_service.realtime.hub import NotificationHub
from api_gateway_service.realtime.routes import build_router
from api_gateway_service.realtime.sessions import SocketSessions
from api_gateway_service.realtime.subscriber import RedisChannelSubscriber
from api_gateway_service.realtime.tickets import TicketStore
from huleedu_service_libs.observability import HealthCheck
from huleedu_service_libs.realtime import NotificationLog


class Realtime:
    """Builds the realtime parts; include `.router`, call start()/stop() in the lifespan."""

    def __init__(
        self,
        settings: GatewaySettings,
        verifier: TokenVerifier,
        redis: aioredis.Redis,
        *,
        notification_topic: str | None = None,
    ) -> None:
        self.tickets = TicketStore(redis, ttl_seconds=settings.ws_ticket_ttl_seconds)
        self.subscriber = RedisChannelSubscriber(
            redis,
            # A quiet pub/sub connection is PINGed every health-check interval; no answer
            # within the socket timeout after that means it is half-open.
            ping_interval_seconds=settings.redis_health_check_interval_seconds,
            stale_after_seconds=settings.redis_health_check_interval_seconds
            + settings.redis_socket_timeout_seconds,
        )
        self.log = NotificationLog(
            redis, max_entries=settings.ws_log_max_entries, ttl_seconds=settings.ws_log_ttl_seconds
        )
        self.hub = NotificationHub(
            self.subscriber,
            self.log,
            max_connections_per_user=settings.ws_max_connections_per_user,
            log_max_entries=settings.ws_log_max_entries,
            replay_buffer_limit=settings.ws_send_queue_size,
            log_read_timeout_seconds=settings.redis_socket_timeout_seconds,
        )
        self.bridge = NotificationBridge(settings, self.log, topic=notification_topic)
        self.sessions = SocketSessions(settings, verifier, self.tickets, self.hub)
        self.router: APIRouter = build_router(self.tickets, self.sessions)

    async def start(self) -> None:
        """Start the hub's Redis reader and the Kafka bridge (both reconnect on their own)."""
        await self.hub.start()
        await self.bridge.start()

    async def stop(self) -> None:
        """Close sockets (1001), stop bridging (committing what was published), stop the hub."""
        await self.sessions.close_all()
        await self.bridge.stop()
        await self.hub.stop()

    def health_checks(self) -> list[HealthCheck]:
        """Readiness checks: the hub's pub/sub connection and the bridge's consumer loop."""
        return [
            HealthCheck("realtime_pubsub", self.subscriber.check),
            HealthCheck("notification_bridge", self.bridge.check),
        ]

    def liveness_checks(self) -> list[HealthCheck]:
        """Liveness checks: the hub's reader task and the bridge's supervisor are alive."""
        return [
            HealthCheck("realtime_subscriber", self.subscriber.check_alive),
            HealthCheck("notification_bridge", self.bridge.check_alive),
        ]
