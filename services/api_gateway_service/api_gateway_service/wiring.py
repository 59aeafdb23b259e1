"""The Kafka producer (made, started, health-checked) and the downstream-answer handler."""

from __future__ import annotations

import asyncio
import socket

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from api_gateway_service.adapters.errors import DownstreamAnswer
from api_gateway_service.config import GatewaySettings
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.logging_setup import get_logger
from huleedu_service_libs.observability.health import HealthCheck

__all__ = [
    "kafka_health_check",
    "make_producer",
    "register_downstream_handler",
    "start_producer",
]

logger = get_logger(__name__)
PRODUCER_START_TIMEOUT_SECONDS = 15.0


def make_producer(settings: GatewaySettings) -> KafkaEventProducer:
    """The process's Kafka producer (not started)."""
    return KafkaEventProducer(
        settings.kafka_bootstrap_servers,
        client_id=f"{settings.service_name}-{socket.gethostname()}",
    )


async def start_producer(producer: KafkaEventProducer) -> None:
    """Connect at startup if Kafka answers; otherwise serve anyway (reads need no Kafka)."""
    try:
        await asyncio.wait_for(producer.start(), timeout=PRODUCER_START_TIMEOUT_SECONDS)
    except Exception as exc:
        logger.warning("kafka.producer_start_failed", error=repr(exc))


def kafka_health_check(producer: KafkaEventProducer) -> HealthCheck:
    """Kafka reachable through the producer (connecting first if startup could not)."""

    async def _check() -> None:
        if not producer.started:
            await producer.start()
        await producer.check_connection()

    return HealthCheck(name="kafka", check=_check, timeout=5.0)


def register_downstream_handler(app: FastAPI) -> None:
    """A downstream 4xx answers the client with the same status, body and retry hints."""

    async def on_downstream_answer(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, DownstreamAnswer):
            raise exc
        logger.info(
            "downstream.client_error",
            status=exc.status,
            code=exc.body.get("error", {}).get("code"),
            path=request.url.path,
        )
        return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)

    app.add_exception_handler(DownstreamAnswer, on_downstream_answer)
