"""Kafka -> Redis: log each teacher notification and publish it on `ws:{user_id}`.

All gateway processes share one consumer group, so each notification is bridged once; every
process's hub then receives it from Redis, or reads it from the user's log when it was away
from Redis at that moment. Logging and publishing are one Redis script, and the offset is
committed only after it succeeded (the runner commits after the handler returns), so a
notification is never lost. A redelivered event id already in the log is neither logged nor
published again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any, Protocol

import structlog
from redis.exceptions import RedisError

from api_gateway_service.config import GatewaySettings
from api_gateway_service.realtime import metrics
from api_gateway_service.realtime.protocol import notification_message
from common_core.envelope import EventEnvelope
from common_core.events.notification import TeacherNotificationRequestedV1
from common_core.topics import topic_for
from huleedu_service_libs.kafka import (
    EventDispatcher,
    KafkaConsumerRunner,
    KafkaEventProducer,
    TransientError,
)
from huleedu_service_libs.realtime import Appended

logger = structlog.get_logger(__name__)

# A Redis outage must not dead-letter notifications: retry for up to an hour before giving up.
REDIS_OUTAGE_BUDGET_SECONDS = 3600.0
STOP_TIMEOUT_SECONDS = 30.0
RESTART_MAX_SECONDS = 30.0


class NotificationSink(Protocol):
    """Where the bridge puts notifications (huleedu_service_libs.realtime.NotificationLog)."""

    async def append_and_publish(
        self, user_id: str, event_id: str, message: Mapping[str, Any]
    ) -> Appended:
        """Log the message in the user's log and publish it on the user's channel, together."""
        ...


class NotificationBridge:
    """Consumes TeacherNotificationRequestedV1 and logs-and-publishes it to Redis, supervised."""

    def __init__(
        self, settings: GatewaySettings, sink: NotificationSink, *, topic: str | None = None
    ) -> None:
        self._settings = settings
        self._sink = sink
        self._topic = topic or topic_for(TeacherNotificationRequestedV1)
        self._dispatcher = EventDispatcher()
        self._dispatcher.register(TeacherNotificationRequestedV1, self.handle)
        self._producer = KafkaEventProducer(
            settings.kafka_bootstrap_servers, client_id=f"{settings.service_name}-notifications-dlq"
        )
        self._stopping = asyncio.Event()
        self._runner: KafkaConsumerRunner | None = None
        self._task: asyncio.Task[None] | None = None
        self._running = False
        self._last_error: str | None = None

    @property
    def topic(self) -> str:
        """The notification topic this bridge consumes."""
        return self._topic

    async def handle(self, envelope: EventEnvelope[Any]) -> None:
        """Log and publish one notification; a Redis failure is transient (retried)."""
        data: TeacherNotificationRequestedV1 = envelope.data
        message = notification_message(envelope, self._settings.notification_locale)
        event_id = str(envelope.event_id)
        try:
            # Bounded even if the connection hangs past the client's socket timeout.
            appended = await asyncio.wait_for(
                self._sink.append_and_publish(data.user_id, event_id, message),
                timeout=self._settings.redis_socket_timeout_seconds,
            )
        except TimeoutError as exc:
            raise TransientError("Redis publish timed out") from exc
        except (RedisError, OSError) as exc:
            raise TransientError(f"Redis log/publish failed: {exc!r}") from exc
        if appended.duplicate:
            logger.info(
                "notification already logged; not published again",
                user_id=data.user_id,
                event_id=event_id,
                stream_id=appended.stream_id,
                correlation_id=envelope.correlation_id,
            )
            return
        metrics.NOTIFICATIONS_BRIDGED.inc()
        logger.info(
            "notification bridged",
            user_id=data.user_id,
            event_id=event_id,
            stream_id=appended.stream_id,
            notification_type=data.notification_type,
            correlation_id=envelope.correlation_id,
            receivers=appended.receivers,
        )

    async def start(self) -> None:
        """Start the supervised consumer loop in the background (never fails the caller)."""
        self._stopping.clear()
        self._task = asyncio.create_task(self._supervise(), name="notification-bridge")

    async def stop(self) -> None:
        """Finish the record in hand, commit, leave the group and stop the DLQ producer."""
        self._stopping.set()
        task, self._task = self._task, None
        if task is not None:
            if self._runner is None:
                # Still joining the group (or waiting to restart): nothing in hand to commit.
                task.cancel()
            else:
                self._runner.request_stop()
            _, pending = await asyncio.wait({task}, timeout=STOP_TIMEOUT_SECONDS)
            if pending:
                logger.warning("notification bridge did not stop in time; cancelling")
                task.cancel()
                await asyncio.wait({task})
        await self._producer.stop()

    async def check(self) -> None:
        """Health: raise while the consumer loop is down (crashed and waiting to restart)."""
        if not self._running:
            raise RuntimeError(f"notification bridge down: {self._last_error or 'not started'}")

    async def check_alive(self) -> None:
        """Liveness: raise if the supervisor ended while the bridge should be running."""
        if self._stopping.is_set():
            return
        if self._task is None or self._task.done():
            raise RuntimeError("notification bridge supervisor is not running")

    async def _supervise(self) -> None:
        delay = 0.5
        while not self._stopping.is_set():
            self._running = True
            try:
                await self._consume()
                return
            except Exception as exc:
                self._running = False
                self._last_error = repr(exc)
                logger.exception("notification bridge crashed; restarting")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=delay)
                delay = min(delay * 2, RESTART_MAX_SECONDS)

    async def _consume(self) -> None:
        if not self._producer.started:
            await self._producer.start()
        runner = KafkaConsumerRunner(
            bootstrap_servers=self._settings.kafka_bootstrap_servers,
            group_id=self._settings.notification_consumer_group,
            topics=[self._topic],
            handler=self._dispatcher.handle,
            dlq_producer=self._producer,
            transient_budget_seconds=REDIS_OUTAGE_BUDGET_SECONDS,
            client_id=f"{self._settings.service_name}-notifications",
            service=self._settings.service_name,
        )
        await runner.start()
        self._runner = runner
        try:
            if not self._stopping.is_set():
                await runner.run()
        finally:
            self._runner = None
            await runner.stop()
