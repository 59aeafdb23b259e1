"""HuleEdu's Grafana dashboards as code (grafana-foundation-sdk), rendered by generate.py."""

from .panels import DATASOURCE_UID
from .provisioning import DASHBOARDS_MOUNT, PROMETHEUS_URL, PROVISIONING_MOUNT
from .queries import PanelQuery, metric_names, panel_queries, substitute, variables
from .render import DASHBOARDS, GRAFANA_DIR, committed_dashboards, dashboard_file, render_files

__all__ = [
    "DASHBOARDS",
    "DASHBOARDS_MOUNT",
    "DATASOURCE_UID",
    "GRAFANA_DIR",
    "PROMETHEUS_URL",
    "PROVISIONING_MOUNT",
    "PanelQuery",
    "committed_dashboards",
    "dashboard_file",
    "metric_names",
    "panel_queries",
    "render_files",
    "substitute",
    "variables",
]
