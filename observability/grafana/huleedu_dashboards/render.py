"""Every generated file: dashboard JSON and provisioning YAML, keyed by path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.cog.encoder import JSONEncoder

from .kafka_outbox import KAFKA_OUTBOX
from .overview import OVERVIEW
from .panels import Spec, build
from .provisioning import as_yaml, dashboard_providers, datasources
from .service_deep_dive import SERVICE_DEEP_DIVE
from .teacher_flow import TEACHER_FLOW

DASHBOARDS: tuple[Spec, ...] = (OVERVIEW, SERVICE_DEEP_DIVE, KAFKA_OUTBOX, TEACHER_FLOW)
GRAFANA_DIR = Path(__file__).resolve().parents[1]


def dashboard_file(spec: Spec) -> str:
    """The dashboard's file under dashboards/, named after its title."""
    return f"dashboards/{spec.title.removeprefix('HuleEdu ').lower().replace(' ', '-')}.json"


def dashboard_json(spec: Spec) -> str:
    """The dashboard as the JSON Grafana loads: stable key order, one trailing newline."""
    return json.dumps(build(spec), cls=JSONEncoder, indent=2, sort_keys=True) + "\n"


def render_files() -> dict[str, str]:
    """Every file the generator writes, relative to observability/grafana/."""
    files = {dashboard_file(spec): dashboard_json(spec) for spec in DASHBOARDS}
    files["provisioning/datasources/prometheus.yml"] = as_yaml(datasources())
    files["provisioning/dashboards/huleedu.yml"] = as_yaml(dashboard_providers())
    return files


def committed_dashboards() -> list[dict[str, Any]]:
    """The dashboard JSON files in the repository, as Grafana would load them."""
    return [
        json.loads(path.read_text()) for path in sorted((GRAFANA_DIR / "dashboards").glob("*.json"))
    ]
