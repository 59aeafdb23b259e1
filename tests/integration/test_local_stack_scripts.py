"""The local stack's scripts: ports outside the ephemeral range, migrations skipped at head."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from huleedu_service_libs.config import InfraSettings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SERVICES_WITH_MIGRATIONS = sorted(p.parent for p in ROOT.glob("services/*/alembic.ini"))


def bash(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `script` after sourcing the infrastructure settings and migration helpers."""
    prelude = "source scripts/infra/env.sh; source scripts/infra/migrations.sh; "
    # The servers the tests use (HULEEDU_TEST_INFRA=containers moves them), nothing else.
    servers = {k: v for k, v in os.environ.items() if k.startswith("HULEEDU_")}
    return subprocess.run(
        ["/bin/bash", "-c", prelude + script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **servers, **env},
        check=False,
    )


def alembic_heads(service_dir: Path) -> list[str]:
    """The heads Alembic itself finds in the service's migrations."""
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    return list(ScriptDirectory.from_config(config).get_heads())


def ephemeral_range() -> tuple[int, int]:
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return int(low), int(high)


def test_a_configured_port_inside_the_ephemeral_range_is_refused_with_a_clear_message() -> None:
    low, high = ephemeral_range()
    inside = (low + high) // 2

    refused = bash("check_infra_ports", HULEEDU_KAFKA_PORT=str(inside))

    assert refused.returncode != 0
    assert f"HULEEDU_KAFKA_PORT={inside}" in refused.stderr
    assert "ephemeral port range" in refused.stderr
    assert bash("check_infra_ports").returncode == 0, "the defaults lie below the range"


def test_every_default_port_of_ours_lies_below_the_ephemeral_range() -> None:
    low, _ = ephemeral_range()
    infra = InfraSettings()
    assert max(infra.pg_port, infra.redis_port, infra.kafka_port, infra.languagetool_port) < low
    for conf in ROOT.glob("services/*/service.conf"):
        for line in conf.read_text().splitlines():
            if line.startswith(("HTTP_PORT=", "WORKER_PORT=")):
                assert int(line.split("=", 1)[1]) < low, f"{conf}: {line}"


@pytest.mark.parametrize("service_dir", SERVICES_WITH_MIGRATIONS, ids=lambda p: p.name)
def test_the_scripts_find_the_same_head_as_alembic(service_dir: Path) -> None:
    heads = alembic_heads(service_dir)

    found = bash(f"migration_head {service_dir}")

    assert found.stdout.split() == heads


async def test_at_head_is_true_only_for_a_database_at_the_newest_revision(
    infra: InfraSettings,
) -> None:
    service_dir = ROOT / "services" / "essay_lifecycle_service"
    [head] = alembic_heads(service_dir)
    database = f"huleedu_t_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(
        infra.database_url("huleedu_libs_test"), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{database}"'))
    scratch = create_async_engine(infra.database_url(database))
    try:

        def at_head() -> bool:
            return bash(f"at_head {service_dir} {database}").returncode == 0

        assert not at_head(), "no alembic_version table: migrate"
        async with scratch.begin() as conn:
            await conn.execute(text("CREATE TABLE alembic_version (version_num text)"))
            await conn.execute(text("INSERT INTO alembic_version VALUES ('0001')"))
        assert not at_head(), "behind: migrate"
        async with scratch.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        assert at_head()
    finally:
        await scratch.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE "{database}"'))
        await admin.dispose()
