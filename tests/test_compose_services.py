"""docker-compose.services.yml agrees with each service's settings and service.conf, and
builds every service from services/Dockerfile with the right arguments."""

from __future__ import annotations

import re
import tomllib
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
from grammar_service.config import GrammarSettings
from huleedu_service_libs.config import ServiceSettings
from result_aggregator_service.config import ResultAggregatorSettings
from spellchecker_service.config import SpellcheckerSettings

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = "services/Dockerfile"
SETTINGS: dict[str, type[ServiceSettings]] = {
    "content_service": ContentServiceSettings,
    "file_service": FileServiceSettings,
    "batch_orchestrator_service": BatchOrchestratorSettings,
    "essay_lifecycle_service": EssayLifecycleSettings,
    "spellchecker_service": SpellcheckerSettings,
    "grammar_service": GrammarSettings,
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


def dockerfile_stages() -> dict[str, list[str]]:
    """Stage name -> its instructions (continuation lines joined, comments left out)."""
    text = re.sub(r"\\\n", " ", (ROOT / DOCKERFILE).read_text())
    stages: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if match := re.fullmatch(r"FROM\s+\S+\s+AS\s+(\S+)", line, flags=re.I):
            current = stages.setdefault(match[1], [])
        current.append(line)
    return stages


def image_env(target: str) -> dict[str, str]:
    """The ENV a target sets, its parent stages' first (no quoting or variables resolved)."""
    stages = dockerfile_stages()
    parent = stages[target][0].split()[1]
    env = image_env(parent) if parent in stages else {}
    for line in stages[target][1:]:
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line.split()[1:])
    return env


def build_target(build: dict[str, Any]) -> str:
    """The stage compose builds: its target, else the Dockerfile's last stage."""
    return str(build.get("target", list(dockerfile_stages())[-1]))


def test_no_service_has_a_dockerfile_of_its_own() -> None:
    assert (ROOT / DOCKERFILE).is_file()
    assert not list(ROOT.glob("services/*/Dockerfile"))


@pytest.mark.parametrize("entry", sorted(compose_services()))
def test_every_process_builds_from_the_one_dockerfile(entry: str) -> None:
    build = compose_services()[entry]["build"]
    service = build["args"]["SERVICE"]
    assert entry in (service, f"{service}_worker")
    assert (build["context"], build["dockerfile"]) == (".", DOCKERFILE)
    # A worker runs from its service's image: the same build, another command.
    assert build == compose_services()[service]["build"]


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_build_args_are_the_service_package_port_and_env_prefix(service: str) -> None:
    settings = SETTINGS[service]()
    args = compose_services()[service]["build"]["args"]
    assert (ROOT / "services" / service / service / "__init__.py").is_file()
    assert args["SERVICE"] == service
    # The port of the image's own process: the HTTP API's, or the worker's where the worker
    # is the only process (the spell checker answers its probes on HTTP_PORT).
    assert args["PORT"] == service_conf(service)["HTTP_PORT"] == str(settings.http_port)
    assert args["ENV_PREFIX"] == settings.model_config.get("env_prefix")


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_build_arg_and_target_is_the_dockerfiles(service: str) -> None:
    build = compose_services()[service]["build"]
    stages = dockerfile_stages()
    declared = {
        line.split()[1].split("=")[0]
        for instructions in stages.values()
        for line in instructions
        if line.startswith("ARG ")
    }
    assert set(build["args"]) <= declared
    # A service with a stage of its own (the gateway's web app, the spell checker's word
    # forms) is built with it; every other from the default stage.
    assert build_target(build) == (service if service in stages else list(stages)[-1])
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for extra in filter(None, build["args"].get("PDM_EXTRAS", "").split(",")):
        assert extra in extras["optional-dependencies"], extra


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_the_image_runs_what_service_conf_runs(service: str) -> None:
    conf = service_conf(service)
    env = image_env(build_target(compose_services()[service]["build"]))
    processes = (ROOT / "services" / service / "service.conf").read_text()
    # The image's own process: the HTTP API, or the worker where that is the only process.
    process = "app" if f'"http:python -m {service}.app"' in processes else "worker"
    assert f'python -m {service}.{process}"' in processes
    assert env["HULEEDU_PROCESS"] == process
    assert env["HULEEDU_MIGRATE"] == conf["MIGRATE"]
    assert env["HULEEDU_SERVICE"] == "${SERVICE}"
    assert env["${ENV_PREFIX}HTTP_HOST"] == "0.0.0.0"  # noqa: S104 (inside a container)


def test_the_spell_checker_image_has_its_dictionaries_and_binding() -> None:
    args = compose_services()["spellchecker_service"]["build"]["args"]
    settings = SpellcheckerSettings()
    debian_package = {"sv_SE": "hunspell-sv", "en_US": "hunspell-en-us", "en_GB": "hunspell-en-gb"}
    dictionaries = [settings.swedish_dictionary_path, *settings.english_dictionary_paths]
    wanted = {debian_package[Path(path).name] for path in dictionaries}
    # unmunch (the Swedish word forms) and the headers the binding compiles against.
    wanted |= {"hunspell-tools", "libhunspell-dev"}
    assert wanted <= set(args["EXTRA_APT_PACKAGES"].split())
    assert "g++" in args["BUILD_APT_PACKAGES"].split()
    assert "spellchecker" in args["PDM_EXTRAS"].split(",")
