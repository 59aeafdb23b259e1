"""PostgreSQL, Redis and Kafka as containers for the tests: docker-compose.infrastructure.yml's.

Plain data, no Docker: `container_infra` starts these with testcontainers when
HULEEDU_TEST_INFRA=containers, and tests/test_container_definitions.py fails when they and the
compose file disagree (image, environment, command, port, hostname, mounts, health check).
What the test containers leave out on purpose: the named data volumes (a test server starts
empty and is thrown away) and the fixed host ports (each gets a free one, so a developer's
running stack never clashes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "KAFKA_CLUSTER_ID",
    "ContainerSpec",
    "Mount",
    "kafka_container",
    "postgres_container",
    "redis_container",
]

# Compose fixes the KRaft cluster id, so a broker formats its storage the same way every time.
KAFKA_CLUSTER_ID = "Y6d1g0vmSuKuIHceXdN4AA"


@dataclass(frozen=True)
class Mount:
    """A file of this repository bind-mounted into the container."""

    source: str  # relative to the repository root, as compose writes it (./...)
    target: str
    read_only: bool = True


@dataclass(frozen=True)
class ContainerSpec:
    """One compose service as the tests run it."""

    service: str
    image: str
    port: int  # inside the container; published on a free host port
    environment: Mapping[str, str] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    hostname: str | None = None
    mounts: tuple[Mount, ...] = ()
    healthcheck: str = ""  # run with `sh -c` inside the container, as compose's CMD-SHELL
    shm_size: str | None = None


def postgres_container(user: str, password: str) -> ContainerSpec:
    """PostgreSQL 15 with every service database (the compose init script creates them)."""
    return ContainerSpec(
        service="postgres",
        image="postgres:15",
        port=5432,
        environment={
            "POSTGRES_USER": user,
            "POSTGRES_PASSWORD": password,
            "POSTGRES_DB": "postgres",
            "POSTGRES_INITDB_ARGS": "--encoding=UTF8 --locale=C.UTF-8",
        },
        command=("postgres", "-c", "max_connections=300", "-c", "shared_buffers=256MB"),
        mounts=(
            Mount(
                "./scripts/infra/docker/create-databases.sh",
                "/docker-entrypoint-initdb.d/10-create-databases.sh",
            ),
        ),
        healthcheck='pg_isready -q -U "${POSTGRES_USER}" -d postgres',
        shm_size="256mb",
    )


def redis_container() -> ContainerSpec:
    """Redis 7 without persistence, as scripts/infra/redis.sh runs it."""
    return ContainerSpec(
        service="redis",
        image="redis:7",
        port=6379,
        command=("redis-server", "--save", "", "--appendonly", "no"),
        healthcheck="redis-cli ping | grep -q PONG",
    )


def kafka_container(
    advertised_host: str, advertised_port: int, partitions: int = 3, heap: str = "768m"
) -> ContainerSpec:
    """Kafka 3.9 in KRaft mode; clients on the host reach it at advertised_host:port."""
    return ContainerSpec(
        service="kafka",
        image="apache/kafka:3.9.1",
        port=19092,
        hostname="kafka",
        environment={
            "CLUSTER_ID": KAFKA_CLUSTER_ID,
            "KAFKA_NODE_ID": "1",
            "KAFKA_PROCESS_ROLES": "broker,controller",
            "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@kafka:9093",
            "KAFKA_LISTENERS": "INTERNAL://:9092,EXTERNAL://:19092,CONTROLLER://:9093",
            "KAFKA_ADVERTISED_LISTENERS": (
                f"INTERNAL://kafka:9092,EXTERNAL://{advertised_host}:{advertised_port}"
            ),
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": (
                "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"
            ),
            "KAFKA_INTER_BROKER_LISTENER_NAME": "INTERNAL",
            "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
            "KAFKA_LOG_DIRS": "/var/lib/kafka/data",
            "KAFKA_NUM_PARTITIONS": str(partitions),
            "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
            "KAFKA_DEFAULT_REPLICATION_FACTOR": "1",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
            "KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS": "10",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
            "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
            "KAFKA_LOG_RETENTION_HOURS": "168",
            "KAFKA_HEAP_OPTS": f"-Xms256m -Xmx{heap}",
        },
        healthcheck=(
            "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092"
            " > /dev/null 2>&1"
        ),
    )
