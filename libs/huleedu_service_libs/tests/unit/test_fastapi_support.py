"""install_fastapi_support: correlation ids, error bodies, metrics and health for the gateway."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import structlog
from aiokafka.errors import KafkaConnectionError
from fastapi import FastAPI, HTTPException
from prometheus_client import REGISTRY
from pydantic import BaseModel
from structlog.testing import capture_logs

from common_core.errors import ErrorCode
from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.correlation import get_correlation_id, get_user_id
from huleedu_service_libs.errors import HuleEduError, service_unavailable
from huleedu_service_libs.http import install_fastapi_support
from huleedu_service_libs.observability.health import HealthCheck
from huleedu_testing import random_suffix

pytestmark = pytest.mark.unit


class RegisterBatch(BaseModel):
    course_code: str
    expected_essay_count: int


def _build_app(settings: ServiceSettings, checks: list[HealthCheck] | None = None) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/batches/{batch_id}")
    async def register(batch_id: str, body: RegisterBatch) -> dict[str, Any]:
        return {
            "batch_id": batch_id,
            "count": body.expected_essay_count,
            "correlation_id": get_correlation_id(),
            "user_id": get_user_id(),
        }

    @app.get("/v1/batches/{batch_id}/status")
    async def status(batch_id: str) -> dict[str, Any]:
        raise HuleEduError(ErrorCode.BATCH_NOT_FOUND, "Batch not found", details={"id": batch_id})

    @app.get("/v1/busy")
    async def busy() -> dict[str, Any]:
        raise service_unavailable(retry_after=3)

    @app.get("/v1/teapot")
    async def teapot() -> dict[str, Any]:
        raise HTTPException(status_code=418, detail="I'm a teapot")

    @app.get("/v1/crash")
    async def crash() -> dict[str, Any]:
        raise RuntimeError("jwt secret is s3cr3t")

    @app.get("/v1/kafka-down")
    async def kafka_down() -> dict[str, Any]:
        raise KafkaConnectionError("Unable to bootstrap from [('10.0.0.9', 9092)]")

    install_fastapi_support(app, settings, readiness_checks=checks or [])
    return app


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)


@pytest.fixture
def settings() -> ServiceSettings:
    return ServiceSettings(service_name=f"gateway-test-{random_suffix()}")


@pytest.fixture
async def client(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_build_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


VALID = {"course_code": "ENG5", "expected_essay_count": 3}


class TestCorrelation:
    async def test_incoming_ids_are_used_and_echoed(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v1/batches/b1",
            json=VALID,
            headers={"X-Correlation-ID": "cid-gw", "X-User-ID": "teacher-2"},
        )
        body = response.json()
        assert response.status_code == 200
        assert response.headers["x-correlation-id"] == "cid-gw"
        assert (body["correlation_id"], body["user_id"]) == ("cid-gw", "teacher-2")

    async def test_missing_id_gets_a_new_uuid4(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/v1/batches/b1", json=VALID)
        cid = response.headers["x-correlation-id"]
        assert uuid.UUID(cid).version == 4
        assert response.json()["correlation_id"] == cid
        assert response.headers.get_list("x-correlation-id") == [cid]

    async def test_ids_do_not_leak_out_of_the_request(self, client: httpx.AsyncClient) -> None:
        await client.post("/v1/batches/b1", json=VALID, headers={"X-Correlation-ID": "cid-x"})
        assert get_correlation_id() is None


class TestErrorBodies:
    async def test_huleedu_error(
        self, client: httpx.AsyncClient, settings: ServiceSettings
    ) -> None:
        response = await client.get("/v1/batches/b7/status", headers={"X-Correlation-ID": "c7"})
        assert response.status_code == 404
        assert response.headers["x-correlation-id"] == "c7"
        assert response.json() == {
            "error": {
                "code": "BATCH_NOT_FOUND",
                "message": "Batch not found",
                "correlation_id": "c7",
                "service": settings.service_name,
                "details": {"id": "b7"},
            }
        }

    async def test_retry_after_header(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/busy")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "3"
        assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"

    async def test_request_validation_is_422_with_field_details(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post(
            "/v1/batches/b1", json={"course_code": "ENG5", "expected_essay_count": "many"}
        )
        error = response.json()["error"]
        assert response.status_code == 422
        assert error["code"] == "VALIDATION_ERROR"
        assert error["details"] == {
            "errors": [
                {
                    "loc": ["body", "expected_essay_count"],
                    "msg": "Input should be a valid integer, unable to parse string as an integer",
                    "type": "int_parsing",
                }
            ]
        }
        assert "many" not in response.text

    async def test_unknown_route_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/nothing-here")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"

    async def test_wrong_method_is_405_with_allow(self, client: httpx.AsyncClient) -> None:
        response = await client.delete("/v1/batches/b1")
        error = response.json()["error"]
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert error["code"] == "INVALID_REQUEST"
        assert error["details"] == {"allowed_methods": ["POST"]}

    async def test_other_http_exceptions_keep_status_and_detail(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/v1/teapot")
        assert response.status_code == 418
        assert response.json()["error"]["code"] == "INVALID_REQUEST"
        assert response.json()["error"]["message"] == "I'm a teapot"

    async def test_unhandled_exception_is_500_without_leaking(
        self, client: httpx.AsyncClient
    ) -> None:
        with capture_logs() as logs:
            response = await client.get("/v1/crash", headers={"X-Correlation-ID": "cid-500"})
        assert response.status_code == 500
        assert response.headers["x-correlation-id"] == "cid-500"
        assert "s3cr3t" not in response.text
        assert response.json()["error"] == {
            "code": "INTERNAL_ERROR",
            "message": "Internal server error",
            "correlation_id": "cid-500",
            "service": response.json()["error"]["service"],
            "details": {},
        }
        (entry,) = [e for e in logs if e["event"] == "http.unhandled_error"]
        assert entry["correlation_id"] == "cid-500"
        assert isinstance(entry["exc_info"], RuntimeError)


class TestDependencyOutage:
    async def test_a_dependency_outage_is_503_naming_it_with_retry_after(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/v1/kafka-down", headers={"X-Correlation-ID": "cid-k"})
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.headers["x-correlation-id"] == "cid-k"
        error = response.json()["error"]
        assert error["code"] == "SERVICE_UNAVAILABLE"
        assert error["details"] == {"dependency": "kafka", "reason": "unreachable"}
        assert "10.0.0.9" not in response.text


class TestOperatorRoutesAndMetrics:
    async def test_ready_and_healthz(self, settings: ServiceSettings) -> None:
        async def ok() -> None:
            return None

        async def down() -> None:
            raise TimeoutError

        app = _build_app(settings, [HealthCheck("redis", ok), HealthCheck("bos", down)])
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as client:
            for path in ("/healthz/ready", "/healthz"):
                response = await client.get(path)
                body = response.json()
                assert response.status_code == 503
                assert response.headers["retry-after"] == "5"
                assert (body["status"], body["service"]) == ("unready", settings.service_name)
                assert body["checks"]["redis"]["ok"] is True
                assert body["checks"]["bos"]["ok"] is False

    async def test_ready_healthz_is_200(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz/ready")
        assert response.status_code == 200
        assert response.json()["status"] == "ready"

    async def test_live_runs_the_loop_monitor_with_the_apps_lifespan(
        self, settings: ServiceSettings
    ) -> None:
        started: list[str] = []

        @asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            started.append("app")
            yield

        async def down() -> None:
            raise ConnectionRefusedError("redis down")

        app = FastAPI(lifespan=lifespan)
        install_fastapi_support(app, settings, [HealthCheck("redis", down)])
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://gateway") as client,
        ):
            response = await client.get("/healthz/live")
        assert started == ["app"]
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "live"
        assert response.json()["checks"]["event_loop"]["ok"] is True

    async def test_metrics_use_route_templates(
        self, client: httpx.AsyncClient, settings: ServiceSettings
    ) -> None:
        service = settings.service_name
        for batch in ("a", "b"):
            await client.post(f"/v1/batches/{batch}", json=VALID)
        await client.get("/v1/crash")
        await client.get("/scanner/probe")

        route = "/v1/batches/{batch_id}"
        assert (
            _sample(
                "huleedu_http_requests_total",
                service=service,
                method="POST",
                route=route,
                status="200",
            )
            == 2
        )
        assert (
            _sample(
                "huleedu_http_requests_total",
                service=service,
                method="GET",
                route="/v1/crash",
                status="500",
            )
            == 1
        )
        assert (
            _sample(
                "huleedu_http_requests_total",
                service=service,
                method="GET",
                route="<unmatched>",
                status="404",
            )
            == 1
        )
        assert _sample("huleedu_http_errors_total", service=service, code="INTERNAL_ERROR") == 1

        response = await client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        assert f'route="/v1/batches/{{batch_id}}",service="{service}"' in response.text
        assert "/v1/batches/a" not in response.text

    async def test_operator_routes_are_not_in_openapi(self, settings: ServiceSettings) -> None:
        paths = _build_app(settings).openapi()["paths"]
        for path in ("/healthz", "/healthz/live", "/healthz/ready", "/metrics"):
            assert path not in paths
        assert "/v1/batches/{batch_id}" in paths
