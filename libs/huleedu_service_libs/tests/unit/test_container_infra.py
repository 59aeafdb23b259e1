"""HULEEDU_TEST_INFRA=containers: the mode switch, the start order and the variables it sets.

No Docker here: a fake runtime stands in for the engine, and a fake testcontainers module
shows what the real runtime asks testcontainers for.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from huleedu_service_libs.config import InfraSettings
from huleedu_testing.container_infra import (
    MODE_VARIABLE,
    DockerRuntime,
    containerised_infrastructure,
    infrastructure_mode,
)
from huleedu_testing.containers import ContainerSpec, kafka_container

pytestmark = pytest.mark.unit


class FakeContainer:
    def __init__(self, log: list[str], name: str) -> None:
        self.log = log
        self.name = name

    def stop(self) -> None:
        self.log.append(f"stop {self.name}")


class FakeRuntime:
    """Records what it is asked to start; fails on the service named in `fail_on`."""

    def __init__(self, fail_on: str = "") -> None:
        self.log: list[str] = []
        self.started: list[tuple[ContainerSpec, int]] = []
        self.fail_on = fail_on

    def host(self) -> str:
        return "docker.example"

    def start(self, spec: ContainerSpec, host_port: int) -> FakeContainer:
        if spec.service == self.fail_on:
            raise RuntimeError(f"{spec.service} did not become healthy")
        self.log.append(f"start {spec.service}")
        self.started.append((spec, host_port))
        return FakeContainer(self.log, spec.service)


@pytest.mark.parametrize(
    ("value", "mode"),
    [(None, "native"), ("", "native"), ("native", "native"), (" Containers ", "containers")],
)
def test_the_mode_comes_from_one_variable(
    monkeypatch: pytest.MonkeyPatch, value: str | None, mode: str
) -> None:
    if value is None:
        monkeypatch.delenv(MODE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(MODE_VARIABLE, value)
    assert infrastructure_mode() == mode


def test_an_unknown_mode_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODE_VARIABLE, "docker")
    with pytest.raises(ValueError, match="expected 'native' or 'containers'"):
        infrastructure_mode()


def test_the_servers_start_in_order_and_the_variables_point_at_them() -> None:
    runtime = FakeRuntime()
    prepared: list[Mapping[str, str]] = []

    async def prepare(variables: Mapping[str, str]) -> None:
        prepared.append(dict(variables))

    with containerised_infrastructure(runtime, prepare) as variables:
        assert runtime.log == ["start postgres", "start redis", "start kafka"]
        assert prepared == [variables]
        ports = {spec.service: port for spec, port in runtime.started}
        assert len(set(ports.values())) == 3
        ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
        assert all(port < ephemeral for port in ports.values())
        infra = InfraSettings.model_validate(
            {k.removeprefix("HULEEDU_").lower(): v for k, v in variables.items()}
        )
        assert (infra.pg_host, infra.pg_port) == ("docker.example", ports["postgres"])
        assert (infra.redis_host, infra.redis_port) == ("docker.example", ports["redis"])
        assert infra.kafka_bootstrap_servers == f"docker.example:{ports['kafka']}"
        postgres, _, kafka = (spec for spec, _ in runtime.started)
        # The broker advertises the address the tests reach; the database takes the session's
        # own password, never the public development one.
        assert kafka == kafka_container("docker.example", ports["kafka"], infra.kafka_partitions)
        assert postgres.environment["POSTGRES_PASSWORD"] == infra.pg_password
        assert infra.pg_password != "huleedu_dev_password"
        assert len(infra.pg_password) >= 20
    assert runtime.log[3:] == ["stop kafka", "stop redis", "stop postgres"]


def test_a_server_that_fails_to_start_stops_the_ones_already_running() -> None:
    runtime = FakeRuntime(fail_on="kafka")

    async def prepare(variables: Mapping[str, str]) -> None:
        raise AssertionError("not reached")

    with (
        pytest.raises(RuntimeError, match="kafka did not become healthy"),
        containerised_infrastructure(runtime, prepare),
    ):
        pass
    assert runtime.log == ["start postgres", "start redis", "stop redis", "stop postgres"]


class FakeDockerContainer:
    """Records testcontainers' builder calls."""

    made: list[FakeDockerContainer] = []

    def __init__(self, image: str) -> None:
        self.image = image
        self.calls: list[tuple[str, Any]] = []
        FakeDockerContainer.made.append(self)

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> FakeDockerContainer:
            self.calls.append((name, args or kwargs))
            return self

        return record


class FakeExecWait:
    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.timeout = 0

    def with_startup_timeout(self, seconds: int) -> FakeExecWait:
        self.timeout = seconds
        return self


def fake_testcontainers(monkeypatch: pytest.MonkeyPatch) -> None:
    client = types.SimpleNamespace(host=lambda: "localhost")
    modules: dict[str, dict[str, Any]] = {
        "testcontainers.core.container": {"DockerContainer": FakeDockerContainer},
        "testcontainers.core.wait_strategies": {"ExecWaitStrategy": FakeExecWait},
        "testcontainers.core.docker_client": {"DockerClient": lambda: client},
    }
    for name, attributes in modules.items():
        monkeypatch.setitem(sys.modules, name, types.SimpleNamespace(**attributes))


def test_the_runtime_hands_testcontainers_the_whole_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_testcontainers(monkeypatch)
    FakeDockerContainer.made.clear()
    runtime = DockerRuntime(repo_root=Path("/repo"))
    spec = ContainerSpec(
        service="postgres",
        image="postgres:15",
        port=5432,
        environment={"POSTGRES_USER": "huleedu", "POSTGRES_DB": "postgres"},
        command=("postgres", "-c", "max_connections=300"),
        hostname="db",
        mounts=(),
        healthcheck="pg_isready -q",
        shm_size="256mb",
    )

    runtime.start(spec, 21000)

    assert runtime.host() == "localhost"
    [container] = FakeDockerContainer.made
    assert container.image == "postgres:15"
    calls = container.calls
    assert ("with_env", ("POSTGRES_USER", "huleedu")) in calls
    assert ("with_env", ("POSTGRES_DB", "postgres")) in calls
    assert ("with_command", (["postgres", "-c", "max_connections=300"],)) in calls
    assert ("with_bind_ports", (5432, 21000)) in calls
    assert ("with_kwargs", {"hostname": "db", "shm_size": "256mb"}) in calls
    [wait] = [args[0] for name, args in calls if name == "waiting_for"]
    assert wait.command == ["sh", "-c", "pg_isready -q"]
    assert wait.timeout > 0
    assert calls[-1] == ("start", {})


def test_the_runtime_mounts_repository_files_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_testcontainers(monkeypatch)
    FakeDockerContainer.made.clear()
    from huleedu_testing.containers import postgres_container

    DockerRuntime(repo_root=Path("/repo")).start(postgres_container("u", "p"), 21001)

    [container] = FakeDockerContainer.made
    assert (
        "with_volume_mapping",
        (
            "/repo/scripts/infra/docker/create-databases.sh",
            "/docker-entrypoint-initdb.d/10-create-databases.sh",
            "ro",
        ),
    ) in container.calls


def test_without_testcontainers_the_mode_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # None in sys.modules makes `import` raise ImportError, installed or not.
    monkeypatch.setitem(sys.modules, "testcontainers.core.container", None)

    with pytest.raises(RuntimeError, match="needs the `testcontainers` package"):
        DockerRuntime()
