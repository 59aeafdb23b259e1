"""create_quart_app: DI, lifecycle, correlation ids, error bodies, metrics, health, API key."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis.exceptions as redis_errors
import structlog
from dishka import FromDishka, Provider, Scope, make_async_container, provide
from prometheus_client import REGISTRY
from pydantic import BaseModel
from quart import Blueprint, Quart, request
from quart.typing import TestClientProtocol as QuartClient
from structlog.testing import capture_logs

from common_core.errors import ErrorCode
from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.correlation import get_correlation_id, get_user_id
from huleedu_service_libs.errors import not_found, service_unavailable
from huleedu_service_libs.http import create_quart_app, require_internal_api_key
from huleedu_service_libs.observability.health import HealthCheck
from huleedu_testing import random_suffix

pytestmark = pytest.mark.unit

API_KEY = "test-internal-api-key"


@dataclass
class Lifecycle:
    """What the app did with its hooks and container, for assertions."""

    events: list[str] = field(default_factory=list)
    resource_closed: bool = False


class Greeter:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def greet(self, name: str) -> str:
        return f"{self.prefix} {name}"


class DemoProvider(Provider):
    """APP-scoped resource with a finalizer and a REQUEST-scoped service depending on it."""

    def __init__(self, lifecycle: Lifecycle) -> None:
        super().__init__()
        self.lifecycle = lifecycle

    @provide(scope=Scope.APP)
    async def prefix(self) -> AsyncIterator[str]:
        yield "hello"
        self.lifecycle.resource_closed = True

    @provide(scope=Scope.REQUEST)
    def greeter(self, prefix: str) -> Greeter:
        return Greeter(prefix)


class Payload(BaseModel):
    count: int


def _demo_blueprint(settings: ServiceSettings) -> Blueprint:
    bp = Blueprint("demo", __name__)

    @bp.get("/v1/things/<thing_id>")
    async def get_thing(thing_id: str, greeter: FromDishka[Greeter]) -> dict[str, Any]:
        return {
            "greeting": greeter.greet(thing_id),
            "correlation_id": get_correlation_id(),
            "user_id": get_user_id(),
        }

    @bp.get("/v1/batches/<batch_id>")
    async def get_batch(batch_id: str) -> dict[str, Any]:
        raise not_found("Batch not found", code=ErrorCode.BATCH_NOT_FOUND, details={"id": batch_id})

    @bp.get("/v1/busy")
    async def busy() -> dict[str, Any]:
        raise service_unavailable("BOS is unavailable", code=ErrorCode.CIRCUIT_OPEN, retry_after=7)

    @bp.post("/v1/payload")
    async def payload() -> dict[str, Any]:
        data = await request.get_json()
        return {"count": Payload.model_validate(data).count}

    @bp.post("/v1/upload")
    async def upload() -> dict[str, Any]:
        return {"size": len(await request.get_data())}

    @bp.get("/v1/crash")
    async def crash() -> dict[str, Any]:
        raise RuntimeError("password=hunter2 leaked from the driver")

    @bp.get("/v1/redis-down")
    async def redis_down() -> dict[str, Any]:
        raise redis_errors.ConnectionError("Error 111 connecting to 10.0.0.7:6379 (hunter2)")

    @bp.get("/internal/v1/state")
    async def internal_state() -> dict[str, Any]:
        return {"state": "ready"}

    @bp.get("/v1/guarded")
    @require_internal_api_key(settings)
    async def guarded(greeter: FromDishka[Greeter]) -> dict[str, Any]:
        return {"guarded": greeter.greet("ops")}

    return bp


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
    return ServiceSettings(service_name=f"quart-test-{random_suffix()}", internal_api_key=API_KEY)


@pytest.fixture
def lifecycle() -> Lifecycle:
    return Lifecycle()


@pytest.fixture
def app(settings: ServiceSettings, lifecycle: Lifecycle) -> Quart:
    async def startup() -> None:
        lifecycle.events.append("startup")

    async def shutdown() -> None:
        lifecycle.events.append("shutdown")

    container = make_async_container(DemoProvider(lifecycle))
    app = create_quart_app(
        settings,
        container,
        blueprints=[_demo_blueprint(settings)],
        on_startup=[startup],
        on_shutdown=[shutdown],
    )
    app.config["MAX_CONTENT_LENGTH"] = 64
    return app


@pytest.fixture
async def client(app: Quart) -> AsyncIterator[QuartClient]:
    async with app.test_app() as test_app:
        yield test_app.test_client()


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class TestFactory:
    async def test_injection_lifecycle_and_container_close(
        self, app: Quart, lifecycle: Lifecycle
    ) -> None:
        async with app.test_app() as test_app:
            assert lifecycle.events == ["startup"]
            response = await test_app.test_client().get("/v1/things/ada")
            assert response.status_code == 200
            assert (await response.get_json())["greeting"] == "hello ada"
            assert lifecycle.resource_closed is False
        assert lifecycle.events == ["startup", "shutdown"]
        assert lifecycle.resource_closed is True

    async def test_failing_shutdown_hook_still_closes_the_container(
        self, settings: ServiceSettings
    ) -> None:
        lifecycle = Lifecycle()

        async def broken() -> None:
            raise RuntimeError("hook failed")

        async def after() -> None:
            lifecycle.events.append("after")

        app = create_quart_app(
            settings,
            make_async_container(DemoProvider(lifecycle)),
            blueprints=[_demo_blueprint(settings)],
            on_shutdown=[broken, after],
        )
        with capture_logs() as logs:
            async with app.test_app() as test_app:
                await test_app.test_client().get("/v1/things/x")
        assert lifecycle.events == ["after"]
        assert lifecycle.resource_closed is True
        assert any(e["event"] == "service.shutdown_hook_failed" for e in logs)

    def test_two_apps_in_one_process_do_not_clash(self, settings: ServiceSettings) -> None:
        for _ in range(2):
            create_quart_app(settings, make_async_container(DemoProvider(Lifecycle())))

    def test_duplicate_health_check_names_are_refused(self, settings: ServiceSettings) -> None:
        async def ok() -> None:
            return None

        with pytest.raises(ValueError, match="duplicate health check names"):
            create_quart_app(
                settings,
                make_async_container(DemoProvider(Lifecycle())),
                readiness_checks=[HealthCheck("db", ok), HealthCheck("db", ok)],
            )


class TestCorrelation:
    async def test_incoming_ids_are_used_and_echoed(self, client: QuartClient) -> None:
        response = await client.get(
            "/v1/things/a", headers={"X-Correlation-ID": "cid-123", "X-User-ID": "teacher-1"}
        )
        body = await response.get_json()
        assert response.headers["X-Correlation-ID"] == "cid-123"
        assert (body["correlation_id"], body["user_id"]) == ("cid-123", "teacher-1")

    async def test_missing_id_gets_a_new_uuid4(self, client: QuartClient) -> None:
        response = await client.get("/v1/things/a")
        body = await response.get_json()
        cid = response.headers["X-Correlation-ID"]
        assert uuid.UUID(cid).version == 4
        assert body["correlation_id"] == cid
        assert body["user_id"] is None

    async def test_malformed_id_is_replaced(self, client: QuartClient) -> None:
        response = await client.get("/v1/things/a", headers={"X-Correlation-ID": "x" * 500})
        assert uuid.UUID(response.headers["X-Correlation-ID"]).version == 4

    async def test_error_responses_echo_the_id_too(self, client: QuartClient) -> None:
        response = await client.get("/nowhere", headers={"X-Correlation-ID": "cid-404"})
        assert response.headers["X-Correlation-ID"] == "cid-404"
        assert (await response.get_json())["error"]["correlation_id"] == "cid-404"


class TestErrorBodies:
    async def test_huleedu_error(self, client: QuartClient, settings: ServiceSettings) -> None:
        response = await client.get("/v1/batches/b-1", headers={"X-Correlation-ID": "cid-b"})
        assert response.status_code == 404
        assert await response.get_json() == {
            "error": {
                "code": "BATCH_NOT_FOUND",
                "message": "Batch not found",
                "correlation_id": "cid-b",
                "service": settings.service_name,
                "details": {"id": "b-1"},
            }
        }

    async def test_retry_after_header(self, client: QuartClient) -> None:
        response = await client.get("/v1/busy")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "7"
        assert (await response.get_json())["error"]["code"] == "CIRCUIT_OPEN"

    async def test_unknown_route_is_404(self, client: QuartClient) -> None:
        response = await client.get("/v1/unknown")
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/json"
        assert (await response.get_json())["error"]["code"] == "NOT_FOUND"

    async def test_wrong_method_is_405_with_allow(self, client: QuartClient) -> None:
        response = await client.delete("/v1/things/a")
        error = (await response.get_json())["error"]
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"]
        assert error["code"] == "INVALID_REQUEST"
        assert error["details"] == {"allowed_methods": ["GET", "HEAD", "OPTIONS"]}

    async def test_too_large_body_is_413(self, client: QuartClient) -> None:
        response = await client.post("/v1/upload", data=b"x" * 65)
        assert response.status_code == 413
        assert (await response.get_json())["error"]["code"] == "PAYLOAD_TOO_LARGE"
        small = await client.post("/v1/upload", data=b"x" * 10)
        assert (small.status_code, await small.get_json()) == (200, {"size": 10})

    async def test_pydantic_validation_error_is_422(self, client: QuartClient) -> None:
        response = await client.post("/v1/payload", json={"count": "many"})
        error = (await response.get_json())["error"]
        assert response.status_code == 422
        assert error["code"] == "VALIDATION_ERROR"
        assert error["details"] == {
            "errors": [
                {
                    "loc": ["count"],
                    "msg": "Input should be a valid integer, unable to parse string as an integer",
                    "type": "int_parsing",
                }
            ]
        }

    async def test_unhandled_exception_is_500_without_leaking(self, client: QuartClient) -> None:
        with capture_logs() as logs:
            response = await client.get("/v1/crash", headers={"X-Correlation-ID": "cid-500"})
        text = await response.get_data(as_text=True)
        assert response.status_code == 500
        assert "hunter2" not in text
        assert (await response.get_json())["error"]["message"] == "Internal server error"
        (entry,) = [e for e in logs if e["event"] == "http.unhandled_error"]
        assert entry["log_level"] == "error"
        assert entry["correlation_id"] == "cid-500"
        assert entry["code"] == "INTERNAL_ERROR"
        assert isinstance(entry["exc_info"], RuntimeError)


class TestInternalApiKey:
    @pytest.mark.parametrize("headers", [{}, {"X-Internal-API-Key": "wrong"}])
    async def test_internal_routes_refuse_missing_or_wrong_key(
        self, client: QuartClient, headers: dict[str, str]
    ) -> None:
        response = await client.get("/internal/v1/state", headers=headers)
        assert response.status_code == 401
        assert (await response.get_json())["error"]["code"] == "UNAUTHORIZED"

    async def test_internal_routes_accept_the_key(self, client: QuartClient) -> None:
        response = await client.get("/internal/v1/state", headers={"X-Internal-API-Key": API_KEY})
        assert (response.status_code, await response.get_json()) == (200, {"state": "ready"})

    async def test_decorator_guards_other_routes(self, client: QuartClient) -> None:
        assert (await client.get("/v1/guarded")).status_code == 401
        ok = await client.get("/v1/guarded", headers={"X-Internal-API-Key": API_KEY})
        assert (ok.status_code, await ok.get_json()) == (200, {"guarded": "hello ops"})


class TestDependencyOutage:
    async def test_a_dependency_outage_is_503_naming_it_with_retry_after(
        self, client: QuartClient
    ) -> None:
        with capture_logs() as logs:
            response = await client.get("/v1/redis-down", headers={"X-Correlation-ID": "cid-503"})
        body = await response.get_json()
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert body["error"]["details"] == {"dependency": "redis", "reason": "unreachable"}
        assert "hunter2" not in await response.get_data(as_text=True)
        (entry,) = [
            e for e in logs if e["event"].startswith("http.") and e["event"] != "http.request"
        ]
        assert entry["event"] == "http.dependency_unavailable"
        assert (entry["log_level"], entry["dependency"], entry["reason"]) == (
            "warning",
            "redis",
            "unreachable",
        )
        assert entry["error"].startswith("ConnectionError: Error 111")
        assert "exc_info" not in entry

    async def test_retry_after_comes_from_settings(self, settings: ServiceSettings) -> None:
        slow = settings.model_copy(update={"dependency_retry_after_seconds": 11})
        app = create_quart_app(
            slow,
            make_async_container(DemoProvider(Lifecycle())),
            blueprints=[_demo_blueprint(slow)],
        )
        response = await app.test_client().get("/v1/redis-down")
        assert (response.status_code, response.headers["Retry-After"]) == (503, "11")


class TestOperatorRoutes:
    async def test_ready_and_healthz_report_each_dependency(
        self, settings: ServiceSettings
    ) -> None:
        async def ok() -> None:
            return None

        async def down() -> None:
            raise ConnectionRefusedError("redis down")

        container = make_async_container(DemoProvider(Lifecycle()))
        healthy = create_quart_app(settings, container, readiness_checks=[HealthCheck("db", ok)])
        for path in ("/healthz/ready", "/healthz"):
            response = await healthy.test_client().get(path)
            body = await response.get_json()
            assert response.status_code == 200
            assert (body["status"], body["service"]) == ("ready", settings.service_name)
            assert body["checks"]["db"]["ok"] is True

        container = make_async_container(DemoProvider(Lifecycle()))
        sick = create_quart_app(
            settings,
            container,
            readiness_checks=[HealthCheck("db", ok), HealthCheck("redis", down)],
        )
        for path in ("/healthz/ready", "/healthz"):
            response = await sick.test_client().get(path)
            body = await response.get_json()
            assert response.status_code == 503
            assert response.headers["Retry-After"] == "5"
            assert body["status"] == "unready"
            assert body["checks"]["redis"]["error"] == "ConnectionRefusedError: redis down"

    async def test_live_ignores_dependencies_and_reports_liveness_checks(
        self, settings: ServiceSettings
    ) -> None:
        async def down() -> None:
            raise ConnectionRefusedError("redis down")

        async def dead() -> None:
            raise RuntimeError("relay supervisor ended")

        container = make_async_container(DemoProvider(Lifecycle()))
        app = create_quart_app(settings, container, readiness_checks=[HealthCheck("redis", down)])
        async with app.test_app() as serving:
            response = await serving.test_client().get("/healthz/live")
        body = await response.get_json()
        assert response.status_code == 200, body
        assert body["status"] == "live"
        assert set(body["checks"]) == {"event_loop"}

        container = make_async_container(DemoProvider(Lifecycle()))
        app = create_quart_app(settings, container, liveness_checks=[HealthCheck("loops", dead)])
        async with app.test_app() as serving:
            response = await serving.test_client().get("/healthz/live")
        body = await response.get_json()
        assert response.status_code == 503
        assert body["status"] == "not_live"
        assert body["checks"]["loops"]["error"] == "RuntimeError: relay supervisor ended"

    async def test_metrics_use_route_templates(
        self, client: QuartClient, settings: ServiceSettings
    ) -> None:
        service = settings.service_name
        for thing in ("a", "b", "c"):
            await client.get(f"/v1/things/{thing}")
        await client.get("/v1/batches/b-9")
        await client.get("/random/path/1")

        labels = {"service": service, "method": "GET"}
        route = "/v1/things/{thing_id}"
        assert _sample("huleedu_http_requests_total", **labels, route=route, status="200") == 3
        assert _sample("huleedu_http_request_duration_seconds_count", **labels, route=route) == 3
        assert (
            _sample("huleedu_http_requests_total", **labels, route="<unmatched>", status="404") == 1
        )
        assert _sample("huleedu_http_errors_total", service=service, code="BATCH_NOT_FOUND") == 1
        assert _sample("huleedu_http_errors_total", service=service, code="NOT_FOUND") == 1

        response = await client.get("/metrics")
        text = await response.get_data(as_text=True)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        assert f'route="/v1/things/{{thing_id}}",service="{service}"' in text
        assert "/v1/things/a" not in text

    async def test_each_request_logs_one_line(self, client: QuartClient) -> None:
        with capture_logs() as logs:
            await client.get("/v1/things/z", headers={"X-Correlation-ID": "cid-log"})
        (entry,) = [e for e in logs if e["event"] == "http.request"]
        assert entry["route"] == "/v1/things/{thing_id}"
        assert entry["status"] == 200
        assert entry["method"] == "GET"
        assert entry["log_level"] == "info"
