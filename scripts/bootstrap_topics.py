"""Create every topic of the registry and its DLQ on the local broker (idempotent)."""

from __future__ import annotations

import asyncio

from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.kafka.admin import ensure_topics


async def main() -> None:
    """Create missing topics with the partition count from HULEEDU_KAFKA_PARTITIONS."""
    infra = InfraSettings()
    created = await ensure_topics(
        infra.kafka_bootstrap_servers,
        partitions=infra.kafka_partitions,
        replication_factor=infra.kafka_replication_factor,
    )
    print(f"[infra] topics: {len(created)} created, all registry topics and DLQs present")


if __name__ == "__main__":
    asyncio.run(main())
