"""Building the downstream clients, the publisher and the health checks from settings."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from api_gateway_service.adapters.class_management import ClassManagementClient
from api_gateway_service.adapters.downstream import DownstreamClient
from api_gateway_service.adapters.errors import DownstreamAnswer, NotADownstreamFailure
from api_gateway_service.adapters.pipeline_publisher import KafkaPipelinePublisher
from api_gateway_service.adapters.services import (
    BatchOrchestratorClient,
    FileServiceClient,
    ResultAggregatorClient,
)
from api_gateway_service.api.deps import Backends
from api_gateway_service.config import GatewaySettings
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.logging_setup import get_logger
from huleedu_service_libs.observability.health import HealthCheck
from huleedu_service_libs.resilience.circuit_breaker import AsyncCircuitBreaker

__all__ = [
    "build_backends",
    "kafka_health_check",
    "make_producer",
    "register_downstream_handler",
    "start_producer",
]

logger = get_logger(__name__)
PRODUCER_START_TIMEOUT_SECONDS = 15.0


def _client(
    name: str, url: str, session: aiohttp.ClientSession, settings: GatewaySettings
) -> DownstreamClient:
    breaker = AsyncCircuitBreaker(
        f"{settings.service_name}.{name}",
        fail_max=settings.breaker_fail_max,
        reset_timeout=settings.breaker_reset_seconds,
        excluded_exceptions=(NotADownstreamFailure,),
        service=settings.service_name,
    )
    return DownstreamClient(
        name,
        url,
        session,
        internal_api_key=settings.internal_api_key,
        timeout_seconds=settings.downstream_timeout_seconds,
        breaker=breaker,
        get_attempts=settings.downstream_get_attempts,
        retry_after_seconds=settings.retry_after_seconds,
    )


def build_backends(
    settings: GatewaySettings, session: aiohttp.ClientSession, producer: KafkaEventProducer
) -> Backends:
    """One client (and circuit breaker) per downstream over the shared session."""
    return Backends(
        bos=BatchOrchestratorClient(
            _client("batch_orchestrator_service", settings.bos_url, session, settings)
        ),
        files=FileServiceClient(
            _client("file_service", settings.file_service_url, session, settings),
            upload_timeout_seconds=settings.upload_timeout_seconds,
            upload_body_timeout_seconds=settings.upload_body_timeout_seconds,
        ),
        results=ResultAggregatorClient(
            _client("result_aggregator_service", settings.result_aggregator_url, session, settings)
        ),
        classes=ClassManagementClient(
            _client("class_management_service", settings.class_management_url, session, settings),
            roster_timeout_seconds=settings.roster_timeout_seconds,
        ),
        publisher=KafkaPipelinePublisher(
            producer,
            topic=settings.pipeline_topic,
            timeout_seconds=settings.kafka_publish_timeout_seconds,
            retry_after_seconds=settings.retry_after_seconds,
        ),
    )


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
