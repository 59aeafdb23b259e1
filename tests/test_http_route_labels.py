"""Every HTTP process labels its metrics with route templates, never with a raw path.

Each id-bearing route of every service (and of the gateway) is requested with a fresh id and
without credentials (401 before any handler runs, so nothing touches a database); /metrics
must then show the route's template and nowhere the id.
"""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY, generate_latest

from huleedu_service_libs.observability import normalize_route

pytestmark = pytest.mark.unit

# service -> (app module, settings module, settings class)
QUART_SERVICES = {
    "content_service": ("content_service.app", "content_service.config", "ContentServiceSettings"),
    "file_service": ("file_service.app", "file_service.config", "FileServiceSettings"),
    "batch_orchestrator_service": (
        "batch_orchestrator_service.app",
        "batch_orchestrator_service.config",
        "BatchOrchestratorSettings",
    ),
    "essay_lifecycle_service": (
        "essay_lifecycle_service.app",
        "essay_lifecycle_service.config",
        "EssayLifecycleSettings",
    ),
    "result_aggregator_service": (
        "result_aggregator_service.app",
        "result_aggregator_service.config",
        "ResultAggregatorSettings",
    ),
    "class_management_service": (
        "class_management_service.app",
        "class_management_service.config",
        "ClassManagementSettings",
    ),
}
# Quart's built-in static route: a template too, but no route of ours.
STATIC_RULE = "/static/<path:filename>"


def _settings(module: str, cls: str) -> Any:
    return getattr(importlib.import_module(module), cls)()


def _route_samples(service: str) -> set[tuple[str, str]]:
    """(route, status) of every huleedu_http_requests_total sample of the service."""
    return {
        (s.labels["route"], s.labels["status"])
        for metric in REGISTRY.collect()
        if metric.name == "huleedu_http_requests"
        for s in metric.samples
        if s.name == "huleedu_http_requests_total" and s.labels["service"] == service
    }


def _with_ids(template: str, parameters: list[str]) -> tuple[str, str]:
    """The template with a fresh id in every parameter, and that id."""
    fresh = uuid.uuid4().hex
    path = template
    for name in parameters:
        path = path.replace("{" + name + "}", fresh)
    return path, fresh


@pytest.mark.parametrize("service", sorted(QUART_SERVICES))
async def test_quart_services_label_requests_with_templates(service: str) -> None:
    app_module, settings_module, settings_class = QUART_SERVICES[service]
    app = importlib.import_module(app_module).create_app(_settings(settings_module, settings_class))
    rules = [r for r in app.url_map.iter_rules() if r.arguments and r.rule != STATIC_RULE]
    assert rules, f"{service} has no route with an id"
    client = app.test_client()
    ids = []
    for rule in rules:
        template = normalize_route(rule.rule)
        path, fresh = _with_ids(template, sorted(rule.arguments))
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = await client.open(path, method=method)
        assert response.status_code == 401, (service, method, path)
        assert (template, "401") in _route_samples(service)
        ids.append(fresh)
    exposition = generate_latest(REGISTRY).decode()
    assert not [i for i in ids if i in exposition]


async def test_the_gateway_labels_requests_with_templates() -> None:
    from api_gateway_service.app import create_app
    from api_gateway_service.config import GatewaySettings

    app = create_app(GatewaySettings())
    # Every public route is in the OpenAPI document (operator routes have no ids).
    routes = [
        (
            template,
            method.upper(),
            [p["name"] for p in op.get("parameters", []) if p["in"] == "path"],
        )
        for template, operations in app.openapi()["paths"].items()
        if "{" in template
        for method, op in operations.items()
    ]
    assert routes
    ids = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        for template, method, parameters in routes:
            path, fresh = _with_ids(template, parameters)
            response = await client.request(method, path)
            assert response.status_code == 401, (method, path, response.text)
            assert (template, "401") in _route_samples("api_gateway_service")
            ids.append(fresh)
        exposition = (await client.get("/metrics")).text
    assert not [i for i in ids if i in exposition]
