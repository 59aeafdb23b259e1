"""docker-compose.services.yml agrees with each service's settings and service.conf."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from api_gateway_service.config import GatewaySettings
from batch_orchestrator_service.config import BatchOrchestratorSettings
from class_management_service.config import ClassManagementSettings
from content_service.config import ContentServiceSettings
from essay_lifecycle_service.config import EssayLifecycleSettings
from file_service.config import FileServiceSettings
from huleedu_service_libs.config import ServiceSettings
from result_aggregator_service.config import ResultAggregatorSettings
from spellchecker_service.config import SpellcheckerSettings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS: dict[str, type[ServiceSettings]] = {
    "content_service": ContentServiceSettings,
    "file_service": FileServiceSettings,
    "batch_orchestrator_service": BatchOrchestratorSettings,
    "essay_lifecycle_service": EssayLifecycleSettings,
    "spellchecker_service": SpellcheckerSettings,
    "result_aggregator_service": ResultAggregatorSettings,
    "class_management_service": ClassManagementSettings,
    "api_gateway_service": GatewaySettings,
}
# Services whose Kafka side runs as a second process with its own health port.
WORKERS = {
    "file_service": FileServiceSettings,
    "batch_orchestrator_service": BatchOrchestratorSettings,
    "essay_lifecycle_service": EssayLifecycleSettings,
    "result_aggregator_service": ResultAggregatorSettings,
    "class_management_service": ClassManagementSettings,
}


def compose_services() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.services.yml").read_text())
    return dict(data["services"])


def service_conf(service: str) -> dict[str, str]:
    text = (ROOT / "services" / service / "service.conf").read_text()
    return dict(re.findall(r"^([A-Z_]+)=(\S+)$", text, flags=re.M))


def test_every_service_folder_with_a_service_conf_is_in_compose() -> None:
    folders = {p.parent.name for p in (ROOT / "services").glob("*/service.conf")}
    assert folders <= set(compose_services())
    assert folders == set(SETTINGS), "add the new service's settings class to this test"


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_ports_agree_with_settings_and_service_conf(service: str) -> None:
    settings = SETTINGS[service]()
    conf = service_conf(service)
    entry = compose_services()[service]
    prefix = settings.model_config.get("env_prefix", "")
    assert entry["environment"][f"{prefix}HTTP_PORT"] == str(settings.http_port)
    assert f"127.0.0.1:{settings.http_port}:{settings.http_port}" in entry["ports"]
    assert conf["HTTP_PORT"] == str(settings.http_port)
    assert entry["build"]["dockerfile"] == f"services/{service}/Dockerfile"
    assert (ROOT / "services" / service / "Dockerfile").exists()


@pytest.mark.parametrize("service", sorted(WORKERS))
def test_worker_ports_agree(service: str) -> None:
    settings: Any = WORKERS[service]()
    prefix = settings.model_config.get("env_prefix", "")
    worker = compose_services()[f"{service}_worker"]
    port = str(settings.worker_http_port)
    assert worker["environment"][f"{prefix}WORKER_HTTP_PORT"] == port
    assert f"127.0.0.1:{port}:{port}" in worker["ports"]
    assert service_conf(service)["WORKER_PORT"] == port
    assert worker["command"] == ["python", "-m", f"{service}.worker"]


def test_no_two_processes_share_a_host_port() -> None:
    ports = [
        p.split(":")[1] for entry in compose_services().values() for p in entry.get("ports", [])
    ]
    assert len(ports) == len(set(ports)), ports


def _processes() -> list[tuple[str, int]]:
    """(compose entry, port) for every HTTP and worker process."""
    entries = [(service, SETTINGS[service]().http_port) for service in SETTINGS]
    entries += [(f"{service}_worker", WORKERS[service]().worker_http_port) for service in WORKERS]
    return entries


@pytest.mark.parametrize(("entry", "port"), _processes())
def test_every_process_is_healthy_only_when_ready_on_its_own_port(entry: str, port: int) -> None:
    check = compose_services()[entry]["healthcheck"]
    assert check["test"] == [
        "CMD",
        "python",
        "-m",
        "huleedu_service_libs.healthcheck",
        str(port),
        "ready",
    ]
    assert {"interval", "timeout", "retries", "start_period"} <= set(check)
