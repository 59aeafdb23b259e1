"""docker-compose.services.yml agrees with each service's settings and service.conf."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from content_service.config import ContentServiceSettings
from file_service.config import FileServiceSettings
from huleedu_service_libs.config import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS: dict[str, type[ServiceSettings]] = {
    "content_service": ContentServiceSettings,
    "file_service": FileServiceSettings,
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


def test_file_service_worker_port_agrees() -> None:
    settings = FileServiceSettings()
    worker = compose_services()["file_service_worker"]
    assert worker["environment"]["FILE_SERVICE_WORKER_HTTP_PORT"] == str(settings.worker_http_port)
    assert service_conf("file_service")["WORKER_PORT"] == str(settings.worker_http_port)
    assert worker["command"] == ["python", "-m", "file_service.worker"]
