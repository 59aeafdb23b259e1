"""The tests' PostgreSQL, Redis and Kafka in containers, chosen by HULEEDU_TEST_INFRA=containers.

Unset (or `native`), the fixtures use the servers `make infra-up` runs, exactly as always.
With `containers` (where a Docker engine runs), the session starts the three servers of
docker-compose.infrastructure.yml (`testing.containers`) with testcontainers on free host
ports, creates the registry topics, and points every HULEEDU_* variable at them, so
`InfraSettings()`, every service's settings and the subprocesses tests start all connect
there. The same tests run either way.

testcontainers is imported only in this mode, so the native path never needs it.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import secrets
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.kafka.admin import ensure_topics
from huleedu_testing.containers import (
    ContainerSpec,
    kafka_container,
    postgres_container,
    redis_container,
)
from huleedu_testing.servers import free_port_below_ephemeral

__all__ = [
    "CONTAINERS",
    "MODE_VARIABLE",
    "NATIVE",
    "ContainerRuntime",
    "DockerRuntime",
    "containerised_infrastructure",
    "infrastructure_mode",
    "prepare_servers",
]

MODE_VARIABLE = "HULEEDU_TEST_INFRA"
NATIVE = "native"
CONTAINERS = "containers"
REPO_ROOT = Path(__file__).resolve().parents[3]
READY_TIMEOUT_SECONDS = 180.0
# The init script creates this database last, and the image's entrypoint opens TCP only once
# the init scripts are done: a TCP connection to it means every database exists.
_LAST_CREATED_DATABASE = "huleedu_libs_test"


def infrastructure_mode() -> str:
    """`native` or `containers`, from HULEEDU_TEST_INFRA; anything else is an error."""
    mode = os.environ.get(MODE_VARIABLE, "").strip().lower() or NATIVE
    if mode not in (NATIVE, CONTAINERS):
        raise ValueError(f"{MODE_VARIABLE}={mode!r}: expected {NATIVE!r} or {CONTAINERS!r}")
    return mode


class RunningContainer(Protocol):
    """A started container."""

    def stop(self) -> None:
        """Remove it."""


class ContainerRuntime(Protocol):
    """Starts containers from specs (testcontainers; a fake in unit tests)."""

    def host(self) -> str:
        """Where published ports are reached from this process."""

    def start(self, spec: ContainerSpec, host_port: int) -> RunningContainer:
        """Start the container, publish spec.port on host_port, wait for its health check."""


class DockerRuntime:
    """ContainerRuntime over testcontainers' DockerContainer."""

    def __init__(self, repo_root: Path = REPO_ROOT) -> None:
        try:
            # Imported by name at run time: an optional dependency, needed only in this mode.
            core = importlib.import_module("testcontainers.core.container")
            waits = importlib.import_module("testcontainers.core.wait_strategies")
            clients = importlib.import_module("testcontainers.core.docker_client")
        except ImportError as exc:
            raise RuntimeError(
                f"{MODE_VARIABLE}={CONTAINERS} needs the `testcontainers` package in the "
                "environment (dev dependency group) and a Docker engine"
            ) from exc
        self._container_class: Any = core.DockerContainer
        self._exec_wait: Any = waits.ExecWaitStrategy
        self._client: Any = clients.DockerClient()
        self._root = repo_root

    def host(self) -> str:
        """The Docker host as testcontainers sees it (localhost for a local engine)."""
        return str(self._client.host())

    def start(self, spec: ContainerSpec, host_port: int) -> RunningContainer:
        """Create, start and wait for one container."""
        container = self._container_class(spec.image)
        for key, value in spec.environment.items():
            container.with_env(key, value)
        if spec.command:
            container.with_command(list(spec.command))
        container.with_bind_ports(spec.port, host_port)
        for mount in spec.mounts:
            mode = "ro" if mount.read_only else "rw"
            container.with_volume_mapping(str(self._root / mount.source), mount.target, mode)
        options = {"hostname": spec.hostname, "shm_size": spec.shm_size}
        container.with_kwargs(**{k: v for k, v in options.items() if v is not None})
        if spec.healthcheck:
            wait = self._exec_wait(["sh", "-c", spec.healthcheck])
            container.waiting_for(wait.with_startup_timeout(int(READY_TIMEOUT_SECONDS)))
        container.start()
        return container  # type: ignore[no-any-return]


Prepare = Callable[[Mapping[str, str]], Coroutine[Any, Any, None]]


@contextmanager
def containerised_infrastructure(
    runtime: ContainerRuntime | None = None, prepare: Prepare | None = None
) -> Iterator[dict[str, str]]:
    """Start the three servers; yield the HULEEDU_* variables that point at them."""
    runtime = runtime or DockerRuntime()
    defaults = InfraSettings()
    # A password of this session only: the published ports may listen on every interface.
    password = secrets.token_urlsafe(18)
    host = runtime.host()
    ports = _distinct_free_ports("pg", "redis", "kafka")
    specs = [
        ("pg", postgres_container(defaults.pg_user, password)),
        ("redis", redis_container()),
        ("kafka", kafka_container(host, ports["kafka"], defaults.kafka_partitions)),
    ]
    variables = {
        "HULEEDU_PG_HOST": host,
        "HULEEDU_PG_PORT": str(ports["pg"]),
        "HULEEDU_PG_USER": defaults.pg_user,
        "HULEEDU_PG_PASSWORD": password,
        "HULEEDU_REDIS_HOST": host,
        "HULEEDU_REDIS_PORT": str(ports["redis"]),
        "HULEEDU_KAFKA_HOST": host,
        "HULEEDU_KAFKA_PORT": str(ports["kafka"]),
        "HULEEDU_KAFKA_BOOTSTRAP_SERVERS": f"{host}:{ports['kafka']}",
    }
    started: list[RunningContainer] = []
    try:
        for name, spec in specs:
            started.append(runtime.start(spec, ports[name]))
        # In a thread of its own: asyncio.run would replace (and then clear) the event loop of
        # this thread, which pytest-asyncio may already have set up for the session.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, (prepare or prepare_servers)(variables)).result()
        yield variables
    finally:
        for container in reversed(started):
            container.stop()


def _distinct_free_ports(*names: str) -> dict[str, int]:
    # Each port is only free when picked, so two picks could land on the same one.
    ports: dict[str, int] = {}
    while len(set(ports.values())) < len(names):
        ports = {name: free_port_below_ephemeral() for name in names}
    return ports


async def prepare_servers(
    variables: Mapping[str, str], timeout_seconds: float = READY_TIMEOUT_SECONDS
) -> None:
    """Wait until the servers answer from this host; create every registry topic."""
    infra = InfraSettings.model_validate(
        {k.removeprefix("HULEEDU_").lower(): v for k, v in variables.items()}
    )

    async def postgres() -> None:
        engine = create_async_engine(infra.database_url(_LAST_CREATED_DATABASE))
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    async def redis() -> None:
        client = aioredis.Redis.from_url(infra.redis_url)
        try:
            await client.ping()
        finally:
            await client.aclose()

    async def topics() -> None:
        await ensure_topics(
            infra.kafka_bootstrap_servers,
            partitions=infra.kafka_partitions,
            replication_factor=infra.kafka_replication_factor,
        )

    for what, step in (("PostgreSQL", postgres), ("Redis", redis), ("Kafka topics", topics)):
        await _until_done(step, what, timeout_seconds)


async def _until_done(
    step: Callable[[], Awaitable[None]], what: str, timeout_seconds: float
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    while True:
        try:
            await asyncio.wait_for(step(), timeout=max(0.1, deadline - loop.time()))
            return
        except Exception as exc:
            if loop.time() >= deadline:
                raise TimeoutError(
                    f"{what} not ready after {timeout_seconds:.0f}s: {exc!r}"
                ) from exc
        await asyncio.sleep(0.5)
