"""The committed dashboards are the generator's output, load into the SDK, and query real names."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models import prometheus
from grafana_foundation_sdk.models.dashboard import Dashboard, Panel

from huleedu_dashboards import (
    DASHBOARDS_MOUNT,
    DATASOURCE_UID,
    GRAFANA_DIR,
    PROVISIONING_MOUNT,
    PanelQuery,
    committed_dashboards,
    metric_names,
    panel_queries,
    render_files,
    substitute,
    variables,
)

ROOT = GRAFANA_DIR.parents[1]
TITLES = {
    "HuleEdu platform overview",
    "HuleEdu service deep dive",
    "HuleEdu Kafka and outbox",
    "HuleEdu teacher flow",
}
# Values a variable takes when the expressions are checked on their own.
EXAMPLE_VALUES = {"service": "file_service"}
PROMETHEUS_BUILTINS = {"up", "ALERTS"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def all_queries() -> list[PanelQuery]:
    """Every target of every committed dashboard."""
    return [query for board in committed_dashboards() for query in panel_queries(board)]


def promtool_check(expressions: Iterable[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`promtool check rules` over the expressions, each written as a recording rule."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: make install installs Debian's prometheus package"
    rules = [{"record": f"dashboard:expr_{i}", "expr": e} for i, e in enumerate(expressions)]
    path = tmp_path / "dashboard-expressions.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    return subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )


def documented_metrics() -> set[str]:
    """Every metric name documentation/metrics.md names in backticks."""
    text = (ROOT / "documentation" / "metrics.md").read_text()
    return set(re.findall(r"`((?:huleedu|pg|redis)_[a-z0-9_]+)`", text))


def rule_names(kind: str) -> set[str]:
    """The names the rules under observability/prometheus/rules define (`record` or `alert`)."""
    names: set[str] = set()
    for path in (ROOT / "observability" / "prometheus" / "rules").glob("*.yml"):
        for group in (yaml.safe_load(path.read_text()) or {}).get("groups", []):
            names |= {rule[kind] for rule in group.get("rules", []) if kind in rule}
    return names


def test_committed_files_are_what_the_generator_writes() -> None:
    generated = render_files()
    for name, text in generated.items():
        path = GRAFANA_DIR / name
        assert path.is_file(), f"{name} is missing: run make dashboards"
        assert path.read_text() == text, f"{name} is stale: run make dashboards"
    committed = {
        str(p.relative_to(GRAFANA_DIR))
        for folder in ("dashboards", "provisioning")
        for p in (GRAFANA_DIR / folder).rglob("*")
        if p.is_file()
    }
    assert committed == set(generated), "files the generator does not write"


def test_dashboards_load_back_into_the_sdk_model_unchanged() -> None:
    register_default_plugins()
    for path in sorted((GRAFANA_DIR / "dashboards").glob("*.json")):
        text = path.read_text()
        model = Dashboard.from_json(json.loads(text))
        again = json.dumps(model, cls=JSONEncoder, indent=2, sort_keys=True) + "\n"
        assert again == text, f"{path.name} holds fields the SDK's model does not know"
        panels = [p for p in model.panels or [] if isinstance(p, Panel) and p.type_val != "row"]
        assert panels, path.name
        for panel in panels:
            assert panel.targets, (path.name, panel.title)
            for target in panel.targets:
                assert isinstance(target, prometheus.Dataquery), (path.name, panel.title)
                assert target.datasource == {"type": "prometheus", "uid": DATASOURCE_UID}


def test_titles_uids_and_panel_ids_are_unique() -> None:
    boards = committed_dashboards()
    assert {b["title"] for b in boards} == TITLES
    uids = [b["uid"] for b in boards]
    assert len(set(uids)) == len(uids) == len(TITLES), uids
    for board in boards:
        ids = [p["id"] for p in board["panels"]]
        assert len(set(ids)) == len(ids), board["title"]
        titles = [p["title"] for p in board["panels"] if p["type"] != "row"]
        assert len(set(titles)) == len(titles), f"{board['title']}: runbooks cite panels by title"


def test_panels_stay_on_the_grid_without_overlapping() -> None:
    for board in committed_dashboards():
        taken: dict[tuple[int, int], str] = {}
        for panel in board["panels"]:
            grid = panel["gridPos"]
            assert grid["x"] + grid["w"] <= 24, (board["title"], panel["title"])
            for x in range(grid["x"], grid["x"] + grid["w"]):
                for y in range(grid["y"], grid["y"] + grid["h"]):
                    assert (x, y) not in taken, (board["title"], panel["title"], taken[(x, y)])
                    taken[(x, y)] = panel["title"]


def test_every_variable_an_expression_uses_is_defined_by_its_dashboard() -> None:
    used_somewhere = False
    for board in committed_dashboards():
        defined = {v["name"] for v in board["templating"].get("list", [])}
        for query in panel_queries(board):
            assert variables(query.expr) <= defined, query
            used_somewhere |= bool(variables(query.expr))
    assert used_somewhere, "the service deep dive filters by $service"


def test_every_panel_expression_passes_promtool(tmp_path: Path) -> None:
    queries = all_queries()
    assert len(queries) > 40
    checked = promtool_check((substitute(q.expr, EXAMPLE_VALUES) for q in queries), tmp_path)
    listing = "\n".join(f"expr_{i}: {q.dashboard} / {q.panel}" for i, q in enumerate(queries))
    assert checked.returncode == 0, f"{checked.stdout}{checked.stderr}\n{listing}"


def test_promtool_check_refuses_a_broken_expression(tmp_path: Path) -> None:
    checked = promtool_check(["sum by (service) (rate(huleedu_http_requests_total[5m])"], tmp_path)
    assert checked.returncode != 0
    assert '"dashboard:expr_0": could not parse expression' in checked.stdout + checked.stderr


def test_every_metric_a_panel_reads_is_in_the_metric_contract() -> None:
    known = documented_metrics() | PROMETHEUS_BUILTINS | rule_names("record")
    assert "huleedu_http_requests_total" in known, "the contract page lost its tables"
    for query in all_queries():
        for name in metric_names(query.expr):
            base = name
            for suffix in HISTOGRAM_SUFFIXES:
                if name.endswith(suffix) and name.removesuffix(suffix) in known:
                    base = name.removesuffix(suffix)
            assert base in known, f"{query.dashboard} / {query.panel}: {name} not in metrics.md"


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("sum(1 - up)", {"up"}),
        (
            'sum by (service) (rate(a_total{status=~"5..", x="}"}[5m])) / on () b or vector(0)',
            {"a_total", "b"},
        ),
        (
            "histogram_quantile(0.95, sum by (le) (rate(h_seconds_bucket[1h]))) * 1e3",
            {"h_seconds_bucket"},
        ),
        (
            "time() - max without (instance) (huleedu:ratio:rate5m offset 5m)",
            {"huleedu:ratio:rate5m"},
        ),
        ('count by (severity) (ALERTS{alertstate="firing"}) and bool c', {"ALERTS", "c"}),
    ],
)
def test_metric_names_reads_selectors_only(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_substitute_replaces_both_variable_spellings() -> None:
    expr = 'x{service="$service"} + y{service="${service}"}'
    assert variables(expr) == {"service"}
    assert substitute(expr, {"service": "file_service"}) == (
        'x{service="file_service"} + y{service="file_service"}'
    )


def test_provisioning_names_the_datasource_the_panels_use() -> None:
    files = render_files()
    sources = yaml.safe_load(files["provisioning/datasources/prometheus.yml"])["datasources"]
    assert [(s["uid"], s["type"], s["url"]) for s in sources] == [
        (DATASOURCE_UID, "prometheus", "http://prometheus:9090")
    ]
    providers = yaml.safe_load(files["provisioning/dashboards/huleedu.yml"])["providers"]
    assert [p["options"]["path"] for p in providers] == [DASHBOARDS_MOUNT]


def test_compose_mounts_the_provisioning_and_dashboards_where_grafana_looks() -> None:
    grafana = [
        service
        for path in sorted(ROOT.glob("docker-compose*.yml"))
        for name, service in (yaml.safe_load(path.read_text()).get("services") or {}).items()
        if name == "grafana"
    ]
    assert len(grafana) == 1, "one grafana service in the compose files"
    volumes = set(grafana[0]["volumes"])
    assert f"./observability/grafana/provisioning:{PROVISIONING_MOUNT}:ro" in volumes
    assert f"./observability/grafana/dashboards:{DASHBOARDS_MOUNT}:ro" in volumes


def observability_page() -> str:
    """documentation/observability.md."""
    return (ROOT / "documentation" / "observability.md").read_text()


def test_the_observability_page_lists_every_dashboard_and_its_panels() -> None:
    sections = re.split(r"^### ", observability_page(), flags=re.M)
    by_title = {section.splitlines()[0]: section for section in sections[1:]}
    for board in committed_dashboards():
        section = by_title.get(board["title"])
        assert section, f"no section for {board['title']}"
        assert f"uid `{board['uid']}`" in section
        for panel in board["panels"]:
            assert panel["title"] in section, f"{board['title']} / {panel['title']}"


def test_every_alert_has_a_panel_to_open_first() -> None:
    rows = re.findall(
        r"^\| `(\w+)` \| (HuleEdu [^|]+?) \| ([^|]+?) \|$", observability_page(), re.M
    )
    assert {alert for alert, _, _ in rows} == rule_names("alert")
    panels = {(b["title"], p["title"]) for b in committed_dashboards() for p in b["panels"]}
    for alert, board, panel in rows:
        assert (board, panel) in panels, f"{alert}: no panel {panel!r} on {board!r}"
