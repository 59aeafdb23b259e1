"""Gauges the gateway exports from Kafka's offsets: every DLQ's depth (for the whole
platform) and the lag of its own notification consumer group."""

from __future__ import annotations

import asyncio
import contextlib

from api_gateway_service.config import GatewaySettings
from huleedu_service_libs.observability.kafka_offsets import (
    ConsumerLagExporter,
    DlqDepthExporter,
)

__all__ = ["OperatorMetrics"]


class OperatorMetrics:
    """Runs the DLQ-depth and notification-lag refreshers while the app runs."""

    def __init__(self, settings: GatewaySettings, notification_topic: str) -> None:
        self.dlq = DlqDepthExporter(
            settings.kafka_bootstrap_servers,
            service=settings.service_name,
            interval_seconds=settings.dlq_depth_refresh_seconds,
        )
        self.lag = ConsumerLagExporter(
            settings.kafka_bootstrap_servers,
            service=settings.service_name,
            groups={settings.notification_consumer_group: [notification_topic]},
            interval_seconds=settings.metrics_refresh_seconds,
        )
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start both refreshers in the background (they never fail the caller)."""
        self._stopping.clear()
        self._tasks = [
            asyncio.create_task(self.dlq.run(self._stopping), name="dlq-depth"),
            asyncio.create_task(self.lag.run(self._stopping), name="notification-lag"),
        ]

    async def stop(self) -> None:
        """Stop them and close their Kafka clients."""
        self._stopping.set()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            # A refresh in flight may wait for a broker that is gone; do not wait for it.
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
