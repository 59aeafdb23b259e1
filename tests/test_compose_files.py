"""The docker-compose files describe the same infrastructure as the native scripts and settings."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from huleedu_service_libs.config import InfraSettings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
INFRA_FILE = "docker-compose.infrastructure.yml"
SERVICES_FILE = "docker-compose.services.yml"
INIT_SCRIPT = ROOT / "scripts/infra/docker/create-databases.sh"
ENV_SH = ROOT / "scripts/infra/env.sh"
LANGUAGETOOL_POM = ROOT / "scripts/infra/languagetool/pom.xml"
LANGUAGETOOL_SCRIPT = ROOT / "scripts/infra/languagetool.sh"

# `${VAR:-default}` as compose and bash write it; `$${...}` is compose's escape for a literal.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<var>\w+)(?::-(?P<default>[^}]*))?\}")
ENV_SH_DEFAULT = re.compile(r'^export (?P<var>\w+)="\$\{(?P=var):-(?P<default>[^}]*)\}"', re.M)

# service -> (HULEEDU_ variable prefix, InfraSettings field prefix, port inside the container)
PUBLISHED = {
    "postgres": ("HULEEDU_PG", "pg", 5432),
    "redis": ("HULEEDU_REDIS", "redis", 6379),
    "kafka": ("HULEEDU_KAFKA", "kafka", None),
    "languagetool": ("HULEEDU_LANGUAGETOOL", "languagetool", 8081),
}


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{name} is not a mapping"
    return data


def with_defaults(value: str) -> str:
    """The value compose would use with none of the variables set."""

    def _default(match: re.Match[str]) -> str:
        assert match["default"] is not None, f"{match[0]} has no default"
        return match["default"]

    return INTERPOLATION.sub(_default, value)


def bash_array(text: str, name: str) -> list[str]:
    match = re.search(rf"^{name}=\((.*?)\)", text, re.M | re.S)
    assert match, f"no {name}=( ... ) array"
    return match[1].split()


def setting_default(field: str) -> Any:
    # The declared default, not whatever HULEEDU_* the test run happens to export.
    return InfraSettings.model_fields[field].default


@pytest.fixture(scope="module")
def infra() -> dict[str, Any]:
    return load(INFRA_FILE)


@pytest.fixture(scope="module")
def env_sh() -> dict[str, str]:
    return {m["var"]: m["default"] for m in ENV_SH_DEFAULT.finditer(ENV_SH.read_text())}


def published(service: dict[str, Any]) -> tuple[str, str, int]:
    (mapping,) = service["ports"]
    host_ip, host_port, container_port = with_defaults(mapping).rsplit(":", 2)
    return host_ip, host_port, int(container_port)


class TestInfrastructure:
    def test_images(self, infra: dict[str, Any]) -> None:
        services = infra["services"]
        assert services["postgres"]["image"] == "postgres:15"
        assert services["redis"]["image"].split(":")[1].startswith("7")
        assert services["kafka"]["image"].startswith("apache/kafka:3.9.")
        assert services["languagetool"]["image"].startswith("maven:3.9-eclipse-temurin-")

    @pytest.mark.parametrize("name", sorted(PUBLISHED))
    def test_host_port_matches_settings_and_env_sh(
        self, infra: dict[str, Any], env_sh: dict[str, str], name: str
    ) -> None:
        var, field, container_port = PUBLISHED[name]
        host_ip, host_port, mapped_port = published(infra["services"][name])
        raw = infra["services"][name]["ports"][0]
        assert f"${{{var}_PORT:-" in raw
        assert f"${{{var}_HOST:-" in raw
        assert int(host_port) == setting_default(f"{field}_port") == int(env_sh[f"{var}_PORT"])
        assert host_ip == setting_default(f"{field}_host") == env_sh[f"{var}_HOST"]
        if container_port is not None:
            assert mapped_port == container_port

    def test_every_variable_defaults_like_env_sh(
        self, infra: dict[str, Any], env_sh: dict[str, str]
    ) -> None:
        text = (ROOT / INFRA_FILE).read_text(encoding="utf-8")
        found = list(INTERPOLATION.finditer(text))
        assert found
        for match in found:
            assert match["var"] in env_sh, f"{match['var']} is not defined in env.sh"
            assert match["default"] == env_sh[match["var"]], match[0]

    def test_postgres_credentials(self, infra: dict[str, Any], env_sh: dict[str, str]) -> None:
        environment = infra["services"]["postgres"]["environment"]
        assert environment["POSTGRES_USER"] == "${HULEEDU_PG_USER:-huleedu}"
        assert with_defaults(environment["POSTGRES_USER"]) == setting_default("pg_user")
        assert env_sh["HULEEDU_PG_USER"] == setting_default("pg_user")
        password = environment["POSTGRES_PASSWORD"]
        assert password.startswith("${HULEEDU_PG_PASSWORD:-")
        assert with_defaults(password) == setting_default("pg_password")
        assert env_sh["HULEEDU_PG_PASSWORD"] == setting_default("pg_password")

    def test_init_script_creates_every_database(self, infra: dict[str, Any]) -> None:
        volumes = infra["services"]["postgres"]["volumes"]
        mount = next(v for v in volumes if "create-databases.sh" in v)
        source, target = mount.split(":")[:2]
        assert (ROOT / source).resolve() == INIT_SCRIPT
        assert target.startswith("/docker-entrypoint-initdb.d/")
        assert os.access(INIT_SCRIPT, os.X_OK)
        wanted = bash_array(ENV_SH.read_text(), "HULEEDU_DATABASES")
        created = bash_array(INIT_SCRIPT.read_text(), "DATABASES")
        assert wanted
        assert set(wanted) <= set(created)

    def test_kafka_is_kraft_without_auto_create(
        self, infra: dict[str, Any], env_sh: dict[str, str]
    ) -> None:
        kafka = infra["services"]["kafka"]
        environment = {k: str(v) for k, v in kafka["environment"].items()}
        assert environment["KAFKA_AUTO_CREATE_TOPICS_ENABLE"].lower() == "false"
        assert environment["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert "ZOOKEEPER" not in " ".join(environment)
        for key in (
            "KAFKA_DEFAULT_REPLICATION_FACTOR",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        ):
            assert environment[key] == "1"

    def test_kafka_advertises_to_host_and_containers(self, infra: dict[str, Any]) -> None:
        kafka = infra["services"]["kafka"]
        environment = kafka["environment"]
        advertised = dict(
            entry.split("://")
            for entry in with_defaults(environment["KAFKA_ADVERTISED_LISTENERS"]).split(",")
        )
        listeners = dict(entry.split("://") for entry in environment["KAFKA_LISTENERS"].split(","))
        default_bootstrap = f"{setting_default('kafka_host')}:{setting_default('kafka_port')}"
        host_listener = next(n for n, a in advertised.items() if a == default_bootstrap)
        # The host's listener is the one the published port leads to.
        _, _, mapped_port = published(kafka)
        assert listeners[host_listener] == f":{mapped_port}"
        container_listener = environment["KAFKA_INTER_BROKER_LISTENER_NAME"]
        assert advertised[container_listener] == f"{kafka['hostname']}:9092"

    def test_healthchecks_and_named_volumes(self, infra: dict[str, Any]) -> None:
        declared = set(infra.get("volumes") or {})
        for name, service in infra["services"].items():
            assert service["healthcheck"]["test"], f"{name} has no healthcheck"
            for volume in service.get("volumes", []):
                source = volume.split(":")[0]
                if not source.startswith((".", "/")):
                    assert source in declared, f"{name} uses undeclared volume {source}"
        assert {"postgres-data", "kafka-data", "languagetool-m2"} <= declared

    def test_languagetool_runs_the_native_pom_class_and_heap(self, infra: dict[str, Any]) -> None:
        service = infra["services"]["languagetool"]
        mount = next(v for v in service["volumes"] if "pom.xml" in v)
        source, target = mount.split(":")[:2]
        assert (ROOT / source).resolve() == LANGUAGETOOL_POM
        script = " ".join(service["command"])
        assert f"-f {target} dependency:build-classpath" in script
        native = LANGUAGETOOL_SCRIPT.read_text()
        for part in ("org.languagetool.server.HTTPServer", "-Xms256m", "-XX:+UseG1GC"):
            assert part in script
            assert part in native
        _, _, container_port = published(service)
        assert f"--port {container_port} --public" in script
        assert service["environment"]["LANGUAGETOOL_HEAP"] == "${HULEEDU_LANGUAGETOOL_HEAP:-1g}"
        assert "/v2/languages" in service["healthcheck"]["test"][1]


class TestTopLevel:
    def test_includes_infrastructure_and_services(self) -> None:
        included = [
            entry["path"] if isinstance(entry, dict) else entry
            for entry in load("docker-compose.yml")["include"]
        ]
        assert INFRA_FILE in included
        assert SERVICES_FILE in included

    def test_services_file_is_valid_and_names_no_infrastructure(self) -> None:
        # Services live in their own file (checked in test_compose_services.py); the
        # infrastructure stays in the infrastructure file only.
        services = load(SERVICES_FILE)["services"]
        assert services
        assert not {"postgres", "redis", "kafka", "languagetool"} & set(services)
