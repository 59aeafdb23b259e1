"""The containers mode's host-side readiness, against the real servers of this session.

A container's own health check runs inside it; `prepare_servers` then waits from the tests'
side until each server answers at its published address and creates the registry topics.
"""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from common_core.topics import all_topics_with_dlq
from huleedu_service_libs.config import InfraSettings
from huleedu_testing.container_infra import prepare_servers
from huleedu_testing.servers import free_port_below_ephemeral

pytestmark = pytest.mark.integration


def variables_of(infra: InfraSettings) -> dict[str, str]:
    """The HULEEDU_* variables containerised_infrastructure would set for these servers."""
    return {
        "HULEEDU_PG_HOST": infra.pg_host,
        "HULEEDU_PG_PORT": str(infra.pg_port),
        "HULEEDU_PG_USER": infra.pg_user,
        "HULEEDU_PG_PASSWORD": infra.pg_password,
        "HULEEDU_REDIS_HOST": infra.redis_host,
        "HULEEDU_REDIS_PORT": str(infra.redis_port),
        "HULEEDU_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
    }


async def test_servers_that_answer_are_ready_with_every_registry_topic(
    infra: InfraSettings, kafka_admin: AIOKafkaAdminClient
) -> None:
    await prepare_servers(variables_of(infra), timeout_seconds=60)

    topics = set(await kafka_admin.list_topics())
    assert set(all_topics_with_dlq()) <= topics


async def test_a_server_that_never_answers_times_out_naming_it(infra: InfraSettings) -> None:
    silent = {**variables_of(infra), "HULEEDU_PG_PORT": str(free_port_below_ephemeral())}

    with pytest.raises(TimeoutError, match="PostgreSQL not ready after 2s"):
        await prepare_servers(silent, timeout_seconds=2)
