"""The real compose v2 CLI (built by scripts/infra/install.sh) accepts every compose file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILES = sorted(p.name for p in ROOT.glob("docker-compose*.yml"))
# The services' depends_on names the infrastructure's services, so that file is only valid
# together with it (as docker-compose.yml includes both).
CHECKED_WITH = {"docker-compose.services.yml": ["docker-compose.infrastructure.yml"]}


def docker_config() -> Path:
    """HULEEDU_DOCKER_CONFIG as the scripts compute it (the user's cache unless overridden)."""
    out = subprocess.run(
        ["/bin/bash", "-c", 'source scripts/infra/env.sh; echo "$HULEEDU_DOCKER_CONFIG"'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


def compose(*args: str) -> subprocess.CompletedProcess[str]:
    """`docker compose ARGS` with our CLI plugin; the plugin alone where no docker CLI exists."""
    plugin = docker_config() / "cli-plugins" / "docker-compose"
    assert plugin.exists(), f"no compose CLI at {plugin}: run scripts/infra/install.sh"
    docker = shutil.which("docker")
    command = [docker, "compose"] if docker else [str(plugin)]
    return subprocess.run(
        [*command, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DOCKER_CONFIG": str(plugin.parents[1])},
        check=False,
        timeout=60,
    )


def test_the_cli_is_compose_v2_or_later() -> None:
    result = compose("version", "--short")
    assert result.returncode == 0, result.stderr
    major = int(result.stdout.strip().lstrip("v").split(".")[0])
    assert major >= 2


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_compose_config_accepts_the_file(name: str) -> None:
    files = [*CHECKED_WITH.get(name, []), name]
    args = [arg for f in files for arg in ("-f", f)]

    result = compose(*args, "config", "-q")

    assert result.returncode == 0, f"docker compose {' '.join(args)} config -q: {result.stderr}"


def test_the_top_level_file_includes_every_service_of_the_others() -> None:
    result = compose("-f", "docker-compose.yml", "config", "--services")
    assert result.returncode == 0, result.stderr
    included = set()
    for name in COMPOSE_FILES:
        if name != "docker-compose.yml":
            included |= set(yaml.safe_load((ROOT / name).read_text())["services"])
    assert set(result.stdout.split()) == included
    assert {"prometheus", "alertmanager", "grafana", "postgres", "content_service"} <= included
