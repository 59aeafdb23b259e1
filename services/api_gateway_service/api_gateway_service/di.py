"""Composition root: the gateway's parts built from settings, and the Dishka graph routes use.

Two halves, because FastAPI needs some parts before the app exists and others only later:
- `compose(settings)` builds what shapes the app itself (auth, rate limits, Redis, the Kafka
  producer, realtime, operator metrics): routes, handlers and health checks are made from
  these while `create_app` runs, synchronously, so they cannot come from an async container.
- `GatewayProvider` gives routes, through `FromDishka[...]`, what they call: the downstream
  clients over one HTTP session (opened in the running loop, closed with the container), the
  pipeline publisher and the `RequestPipeline` use case per request.
`lifespan(parts, container)` starts and stops both in the order the app needs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import redis.asyncio as aioredis
from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from fastapi import FastAPI

from api_gateway_service.adapters.class_management import ClassManagementClient
from api_gateway_service.adapters.downstream import DownstreamClient
from api_gateway_service.adapters.errors import NotADownstreamFailure
from api_gateway_service.adapters.pipeline_publisher import KafkaPipelinePublisher
from api_gateway_service.adapters.services import (
    BatchOrchestratorClient,
    FileServiceClient,
    ResultAggregatorClient,
)
from api_gateway_service.auth import TokenIssuer, TokenVerifier
from api_gateway_service.config import GatewaySettings
from api_gateway_service.domain.pipeline_requests import PipelinePublisher, RequestPipeline
from api_gateway_service.operator_metrics import OperatorMetrics
from api_gateway_service.rate_limit import FallbackLimiter, RouteLimits, build_limiter
from api_gateway_service.realtime import Realtime
from api_gateway_service.wiring import kafka_health_check, make_producer, start_producer
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.observability.health import HealthCheck, redis_check
from huleedu_service_libs.realtime import RedisPubSub
from huleedu_service_libs.resilience.circuit_breaker import AsyncCircuitBreaker

__all__ = [
    "GatewayParts",
    "GatewayProvider",
    "compose",
    "downstream_client",
    "lifespan",
    "make_container",
]

# Enough parallel downstream connections for one gateway process under load.
CONNECTION_LIMIT = 200
# Built when the app starts, not on first use: each client's breaker exports its state.
_EAGER: tuple[type[Any], ...] = (
    BatchOrchestratorClient,
    FileServiceClient,
    ResultAggregatorClient,
    ClassManagementClient,
    PipelinePublisher,
)


@dataclass(frozen=True)
class GatewayParts:
    """What the app is built from; nothing here connects until the lifespan starts it."""

    settings: GatewaySettings
    verifier: TokenVerifier
    issuer: TokenIssuer
    pubsub: RedisPubSub
    producer: KafkaEventProducer
    realtime: Realtime
    operator_metrics: OperatorMetrics
    limiter: FallbackLimiter
    limiter_pool: aioredis.ConnectionPool
    limits: RouteLimits

    def readiness_checks(self) -> list[HealthCheck]:
        """Redis, Kafka, and realtime's pub/sub connection and bridge."""
        return [
            redis_check(self.pubsub.client),
            kafka_health_check(self.producer),
            *self.realtime.health_checks(),
        ]


def compose(settings: GatewaySettings) -> GatewayParts:
    """The parts that shape the app, built once from settings."""
    verifier = TokenVerifier(settings)
    pubsub = RedisPubSub.from_url(
        settings.redis_url,
        socket_connect_timeout=settings.redis_connect_timeout_seconds,
        socket_timeout=settings.redis_socket_timeout_seconds,
        health_check_interval=settings.redis_health_check_interval_seconds,
    )
    realtime = Realtime(settings, verifier, pubsub.client)
    limiter, limiter_pool = build_limiter(settings)
    return GatewayParts(
        settings=settings,
        verifier=verifier,
        issuer=TokenIssuer(settings),
        pubsub=pubsub,
        producer=make_producer(settings),
        realtime=realtime,
        operator_metrics=OperatorMetrics(settings, realtime.bridge.topic),
        limiter=limiter,
        limiter_pool=limiter_pool,
        limits=RouteLimits.from_settings(limiter, settings),
    )


def downstream_client(
    name: str, url: str, session: aiohttp.ClientSession, settings: GatewaySettings
) -> DownstreamClient:
    """One downstream's HTTP client with its own circuit breaker."""
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


class GatewayProvider(Provider):
    """Settings, the downstream clients and the publisher for the app; the use case per request."""

    def __init__(self, parts: GatewayParts) -> None:
        super().__init__()
        self._parts = parts
        self._settings = parts.settings

    @provide(scope=Scope.APP)
    def settings(self) -> GatewaySettings:
        """The validated settings."""
        return self._settings

    @provide(scope=Scope.APP)
    async def http(self) -> AsyncIterator[aiohttp.ClientSession]:
        """One HTTP session for every downstream, closed with the container."""
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=CONNECTION_LIMIT),
            # The body of an upload is forwarded as it came: no automatic decompression.
            auto_decompress=False,
        )
        yield session
        await session.close()

    @provide(scope=Scope.APP)
    def bos(self, http: aiohttp.ClientSession) -> BatchOrchestratorClient:
        """The Batch Orchestrator's internal API."""
        s = self._settings
        return BatchOrchestratorClient(
            downstream_client("batch_orchestrator_service", s.bos_url, http, s)
        )

    @provide(scope=Scope.APP)
    def files(self, http: aiohttp.ClientSession) -> FileServiceClient:
        """The File Service's internal API (streamed uploads)."""
        s = self._settings
        return FileServiceClient(
            downstream_client("file_service", s.file_service_url, http, s),
            upload_timeout_seconds=s.upload_timeout_seconds,
            upload_body_timeout_seconds=s.upload_body_timeout_seconds,
        )

    @provide(scope=Scope.APP)
    def results(self, http: aiohttp.ClientSession) -> ResultAggregatorClient:
        """The Result Aggregator's internal API."""
        s = self._settings
        return ResultAggregatorClient(
            downstream_client("result_aggregator_service", s.result_aggregator_url, http, s)
        )

    @provide(scope=Scope.APP)
    def classes(self, http: aiohttp.ClientSession) -> ClassManagementClient:
        """Class Management's internal API."""
        s = self._settings
        return ClassManagementClient(
            downstream_client("class_management_service", s.class_management_url, http, s),
            roster_timeout_seconds=s.roster_timeout_seconds,
        )

    @provide(scope=Scope.APP)
    def publisher(self) -> PipelinePublisher:
        """Pipeline commands on Kafka through the process's producer."""
        s = self._settings
        return KafkaPipelinePublisher(
            self._parts.producer,
            topic=s.pipeline_topic,
            timeout_seconds=s.kafka_publish_timeout_seconds,
            retry_after_seconds=s.retry_after_seconds,
        )

    @provide(scope=Scope.REQUEST)
    def request_pipeline(
        self, bos: BatchOrchestratorClient, publisher: PipelinePublisher
    ) -> RequestPipeline:
        """The pipeline-request use case over BOS's state and the publisher."""
        return RequestPipeline(bos, publisher)


def make_container(parts: GatewayParts, *overrides: Provider) -> AsyncContainer:
    """The app's container; `overrides` (tests) replace what they provide."""
    return make_async_container(GatewayProvider(parts), *overrides)


def lifespan(
    parts: GatewayParts, container: AsyncContainer
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start clients, producer, realtime and metrics; stop them in reverse, then close."""

    @asynccontextmanager
    async def running(_: FastAPI) -> AsyncIterator[None]:
        for dependency in _EAGER:
            await container.get(dependency)
        await start_producer(parts.producer)
        await parts.realtime.start()
        await parts.operator_metrics.start()
        try:
            yield
        finally:
            try:
                await parts.operator_metrics.stop()
                await parts.realtime.stop()
            finally:
                await container.close()
                await parts.producer.stop()
                await parts.pubsub.close()
                await parts.limiter_pool.aclose()

    return running
