"""The tests' containers (HULEEDU_TEST_INFRA=containers) are docker-compose.infrastructure.yml's.

Compared with the compose file as compose would read it with no variable set (defaults from
scripts/infra/env.sh): image, environment, command, container port, hostname, bind mounts,
health check and shared memory. Every other key of a compose service must be one the test
containers leave out on purpose, so a new compose setting fails here until they have it too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from huleedu_testing.containers import (
    ContainerSpec,
    Mount,
    kafka_container,
    postgres_container,
    redis_container,
)

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
ENV_SH = ROOT / "scripts/infra/env.sh"
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<var>\w+)(?::-(?P<default>[^}]*))?\}")
ENV_SH_DEFAULT = re.compile(r'^export (?P<var>\w+)="\$\{(?P=var):-(?P<default>[^}]*)\}"', re.M)
# Compared below, or left out of the test containers on purpose: the named data volumes (a
# test server starts empty) and the health check's timings (the wait has its own deadline).
KNOWN_KEYS = {
    "image",
    "environment",
    "command",
    "ports",
    "hostname",
    "volumes",
    "healthcheck",
    "shm_size",
}


def env_sh_defaults() -> dict[str, str]:
    return {m["var"]: m["default"] for m in ENV_SH_DEFAULT.finditer(ENV_SH.read_text())}


def resolved(value: Any) -> str:
    """A compose value as compose passes it with no variable set (`$$` is a literal `$`)."""
    defaults = env_sh_defaults()

    def _default(match: re.Match[str]) -> str:
        return match["default"] if match["default"] is not None else defaults[match["var"]]

    return INTERPOLATION.sub(_default, str(value)).replace("$$", "$")


def compose_services() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((ROOT / "docker-compose.infrastructure.yml").read_text())
    services: dict[str, dict[str, Any]] = data["services"]
    return services


def definitions() -> dict[str, ContainerSpec]:
    """The test containers, built with the same defaults compose uses."""
    env = env_sh_defaults()
    return {
        "postgres": postgres_container(env["HULEEDU_PG_USER"], env["HULEEDU_PG_PASSWORD"]),
        "redis": redis_container(),
        "kafka": kafka_container(
            env["HULEEDU_KAFKA_HOST"],
            int(env["HULEEDU_KAFKA_PORT"]),
            int(env["HULEEDU_KAFKA_PARTITIONS"]),
            env["HULEEDU_KAFKA_HEAP"],
        ),
    }


SERVICES = sorted(definitions())


def test_every_infrastructure_service_has_a_test_container() -> None:
    infrastructure = {"postgres", "redis", "kafka"}
    assert infrastructure <= set(compose_services())
    assert set(SERVICES) == infrastructure


@pytest.mark.parametrize("name", SERVICES)
def test_the_compose_service_has_only_settings_the_container_considers(name: str) -> None:
    assert set(compose_services()[name]) <= KNOWN_KEYS


@pytest.mark.parametrize("name", SERVICES)
def test_image(name: str) -> None:
    assert definitions()[name].image == compose_services()[name]["image"]


@pytest.mark.parametrize("name", SERVICES)
def test_environment(name: str) -> None:
    compose = {
        k: resolved(v) for k, v in (compose_services()[name].get("environment") or {}).items()
    }
    assert dict(definitions()[name].environment) == compose


@pytest.mark.parametrize("name", SERVICES)
def test_command(name: str) -> None:
    compose = [resolved(part) for part in compose_services()[name].get("command", [])]
    assert list(definitions()[name].command) == compose


@pytest.mark.parametrize("name", SERVICES)
def test_published_container_port(name: str) -> None:
    (mapping,) = compose_services()[name]["ports"]
    assert int(resolved(mapping).rsplit(":", 1)[1]) == definitions()[name].port


@pytest.mark.parametrize("name", SERVICES)
def test_hostname_and_shared_memory(name: str) -> None:
    compose = compose_services()[name]
    assert definitions()[name].hostname == compose.get("hostname")
    assert definitions()[name].shm_size == compose.get("shm_size")


@pytest.mark.parametrize("name", SERVICES)
def test_bind_mounts(name: str) -> None:
    mounts = []
    for volume in compose_services()[name].get("volumes", []):
        source, target, *mode = volume.split(":")
        if source.startswith((".", "/")):  # named volumes stay out (see the module docstring)
            mounts.append(Mount(source, target, read_only=mode == ["ro"]))
    assert list(definitions()[name].mounts) == mounts
    for mount in definitions()[name].mounts:
        assert (ROOT / mount.source).is_file(), mount.source


@pytest.mark.parametrize("name", SERVICES)
def test_health_check(name: str) -> None:
    kind, command = compose_services()[name]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    assert definitions()[name].healthcheck == resolved(command)


def test_kafka_advertises_the_address_it_is_given() -> None:
    spec = kafka_container("docker.example", 21092)
    listeners = spec.environment["KAFKA_ADVERTISED_LISTENERS"]
    assert "EXTERNAL://docker.example:21092" in listeners.split(",")
