"""Kafka entrypoint of the File Service: the outbox relay, with its own /healthz and /metrics."""

from __future__ import annotations

import asyncio
import contextlib

from dishka import make_async_container
from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from file_service.config import FileServiceSettings
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_service_libs.http import create_quart_app, serve_quart
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.observability import database_check, kafka_check
from huleedu_service_libs.outbox import OutboxRelay, RelayConfig


def create_worker_app(settings: FileServiceSettings, engine: AsyncEngine | None = None) -> Quart:
    """A Quart app that runs the relay while it serves health and metrics."""
    engine = engine or create_engine_from_settings(settings)
    producer = KafkaEventProducer(
        settings.kafka_bootstrap_servers, client_id=f"{settings.service_name}-relay"
    )
    relay = OutboxRelay(
        engine,
        producer,
        service_name=settings.service_name,
        config=RelayConfig(
            batch_size=settings.outbox_batch_size,
            poll_interval_seconds=settings.outbox_poll_interval_seconds,
            max_attempts=settings.outbox_max_attempts,
        ),
    )
    tasks: list[asyncio.Task[None]] = []

    async def start_relay() -> None:
        tasks.append(asyncio.create_task(relay.run(), name="outbox-relay"))

    async def stop_relay() -> None:
        relay.request_stop()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=30)
        await producer.stop()
        await engine.dispose()

    worker_settings = settings.model_copy(update={"http_port": settings.worker_http_port})
    return create_quart_app(
        worker_settings,
        make_async_container(),
        health_checks=[database_check(engine), kafka_check(producer)],
        on_startup=[start_relay],
        on_shutdown=[stop_relay],
    )


def main() -> None:
    """Relay until SIGTERM/SIGINT."""
    settings = FileServiceSettings()
    worker_settings = settings.model_copy(update={"http_port": settings.worker_http_port})
    asyncio.run(serve_quart(create_worker_app(settings), worker_settings))


if __name__ == "__main__":
    main()
