"""docker-compose.observability.yml runs the native console's files, ports and versions."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FILE = "docker-compose.observability.yml"
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<var>\w+)(?::-(?P<default>[^}]*))?\}")
ENV_SH_DEFAULT = re.compile(r'^export (?P<var>\w+)="\$\{(?P=var):-(?P<default>[^}]*)\}"', re.M)


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / FILE).read_text(encoding="utf-8"))
    return dict(data["services"])


@pytest.fixture(scope="module")
def ports() -> dict[str, int]:
    names = [
        "PROMETHEUS_PORT",
        "ALERTMANAGER_PORT",
        "ALERT_RECEIVER_PORT",
        "PG_EXPORTER_PORT",
        "REDIS_EXPORTER_PORT",
    ]
    script = "source scripts/infra/env.sh; " + "; ".join(f'echo "${n}"' for n in names)
    out = subprocess.run(
        ["/bin/bash", "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {name: int(value) for name, value in zip(names, out, strict=True)}


def flag(service: dict[str, Any], name: str) -> str:
    """The value of `--name=value` (or `-name value`) in the service's command."""
    command = [str(part) for part in service["command"]]
    for i, part in enumerate(command):
        for prefix in (f"--{name}=", f"-{name}="):
            if part.startswith(prefix):
                return part[len(prefix) :]
        if part in (f"--{name}", f"-{name}"):
            return command[i + 1]
    raise AssertionError(f"no --{name} in {command}")


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Bind mounts: container path -> repository path."""
    found = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            found[target] = source[2:]
    return found


def with_defaults(value: str) -> str:
    return INTERPOLATION.sub(lambda m: m["default"] or "", value)


def test_docker_compose_yml_includes_it() -> None:
    included = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["include"]
    assert FILE in included


def test_every_container_shares_the_hosts_loopback_like_the_native_console(
    services: dict[str, Any],
) -> None:
    assert set(services) == {
        "prometheus",
        "alertmanager",
        "alert_receiver",
        "postgres_exporter",
        "redis_exporter",
        "grafana",
    }
    for name, service in services.items():
        assert service["network_mode"] == "host", name
        assert "ports" not in service, f"{name}: host networking publishes nothing"


def test_every_mounted_file_exists(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for source in mounts(service).values():
            assert (ROOT / source).exists(), f"{name} mounts missing {source}"


def test_prometheus_reads_the_root_config_and_finds_its_rules(
    services: dict[str, Any], ports: dict[str, int]
) -> None:
    prometheus = services["prometheus"]
    config_path = flag(prometheus, "config.file")
    files = mounts(prometheus)
    assert files[config_path] == "prometheus.yml"
    # rule_files are relative to the config file, so the rules sit at the same relative path.
    config = yaml.safe_load((ROOT / "prometheus.yml").read_text())
    for pattern in config["rule_files"]:
        rules_dir = str(Path(pattern).parent)
        assert files[str(Path(config_path).parent / rules_dir)] == rules_dir
    assert flag(prometheus, "web.listen-address") == f"127.0.0.1:{ports['PROMETHEUS_PORT']}"


def test_alertmanager_reads_the_repositorys_config_alone(
    services: dict[str, Any], ports: dict[str, int]
) -> None:
    alertmanager = services["alertmanager"]
    config_path = flag(alertmanager, "config.file")
    assert mounts(alertmanager)[config_path] == "observability/alertmanager/alertmanager.yml"
    assert flag(alertmanager, "web.listen-address") == f"127.0.0.1:{ports['ALERTMANAGER_PORT']}"
    assert flag(alertmanager, "cluster.listen-address") == ""


def test_the_receiver_runs_the_repositorys_script_on_its_port(
    services: dict[str, Any], ports: dict[str, int]
) -> None:
    receiver = services["alert_receiver"]
    script = receiver["command"][1]
    assert mounts(receiver)[script] == "scripts/alert_receiver.py"
    assert flag(receiver, "port") == str(ports["ALERT_RECEIVER_PORT"])
    assert flag(receiver, "host") == "127.0.0.1"


def test_exporters_listen_where_prometheus_scrapes_and_reach_the_servers_like_env_sh(
    services: dict[str, Any], ports: dict[str, int]
) -> None:
    env_sh = {
        m["var"]: m["default"]
        for m in ENV_SH_DEFAULT.finditer((ROOT / "scripts/infra/env.sh").read_text())
    }
    postgres = services["postgres_exporter"]
    redis = services["redis_exporter"]
    assert flag(postgres, "web.listen-address") == f"127.0.0.1:{ports['PG_EXPORTER_PORT']}"
    assert flag(redis, "web.listen-address") == f"127.0.0.1:{ports['REDIS_EXPORTER_PORT']}"
    dsn = urlsplit(with_defaults(postgres["environment"]["DATA_SOURCE_NAME"]))
    assert dsn.username == env_sh["HULEEDU_PG_USER"]
    assert dsn.password == env_sh["HULEEDU_PG_PASSWORD"]
    assert dsn.hostname == env_sh["HULEEDU_PG_HOST"]
    assert dsn.port == int(env_sh["HULEEDU_PG_PORT"])
    address = urlsplit(with_defaults(flag(redis, "redis.addr")))
    assert (address.hostname, address.port) == (
        env_sh["HULEEDU_REDIS_HOST"],
        int(env_sh["HULEEDU_REDIS_PORT"]),
    )


@pytest.mark.parametrize(
    ("service", "binary"), [("prometheus", "prometheus"), ("alertmanager", "amtool")]
)
def test_images_are_the_versions_the_native_stack_runs(
    services: dict[str, Any], service: str, binary: str
) -> None:
    native = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    version = re.search(r"version (\d+\.\d+\.\d+)", native.stdout + native.stderr)
    assert version, native
    assert services[service]["image"].endswith(f":v{version[1]}")


def test_grafana_is_provisioned_from_the_repository(services: dict[str, Any]) -> None:
    grafana = services["grafana"]
    files = mounts(grafana)
    assert files["/etc/grafana/provisioning"] == "observability/grafana/provisioning"
    providers = [
        provider
        for path in (ROOT / "observability/grafana/provisioning/dashboards").glob("*.yml")
        for provider in yaml.safe_load(path.read_text())["providers"]
    ]
    assert providers
    for provider in providers:
        assert files[provider["options"]["path"]] == "observability/grafana/dashboards"
    assert list((ROOT / "observability/grafana/dashboards").glob("*.json"))


def test_grafanas_datasource_reaches_prometheus_on_loopback(
    services: dict[str, Any], ports: dict[str, int]
) -> None:
    loopback = {"127.0.0.1", "localhost"} | {
        entry.split(":")[0]
        for entry in services["grafana"].get("extra_hosts", [])
        if entry.split(":")[1] == "127.0.0.1"
    }
    datasources = [
        source
        for path in (ROOT / "observability/grafana/provisioning/datasources").glob("*.yml")
        for source in yaml.safe_load(path.read_text())["datasources"]
        if source["type"] == "prometheus"
    ]
    assert datasources
    for source in datasources:
        url = urlsplit(source["url"])
        assert url.hostname in loopback
        assert url.port == ports["PROMETHEUS_PORT"]


def test_named_volumes_are_declared(services: dict[str, Any]) -> None:
    declared = set(yaml.safe_load((ROOT / FILE).read_text())["volumes"])
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} uses undeclared volume {source}"
