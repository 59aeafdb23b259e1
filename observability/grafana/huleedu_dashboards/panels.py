"""Shared building blocks: the Prometheus datasource, panels, rows and whole dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.builders import prometheus, stat, timeseries
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as model

DATASOURCE_UID = "prometheus"
DATASOURCE = model.DataSourceRef(type_val="prometheus", uid=DATASOURCE_UID)
TAG = "huleedu"
GRID_WIDTH = 24


@dataclass(frozen=True)
class Query:
    """One PromQL expression of a panel and the legend its series get."""

    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Threshold:
    """From `value` on, the panel turns `color`."""

    value: float
    color: str


@dataclass(frozen=True)
class Panel:
    """A panel before layout: what it shows, how, and its width on the 24-column grid."""

    title: str
    description: str
    queries: tuple[Query, ...]
    unit: str = "short"
    kind: Literal["timeseries", "stat"] = "timeseries"
    width: int = 8
    thresholds: tuple[Threshold, ...] = ()


@dataclass(frozen=True)
class Row:
    """A titled band of panels."""

    title: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True)
class Spec:
    """A whole dashboard: identity, rows, and whether it has the `service` variable."""

    uid: str
    title: str
    description: str
    rows: tuple[Row, ...]
    service_variable: bool = False


def graph(
    title: str, description: str, *queries: Query, unit: str = "short", width: int = 8
) -> Panel:
    """A time series panel."""
    return Panel(title, description, queries, unit=unit, width=width)


def single(
    title: str,
    description: str,
    *queries: Query,
    unit: str = "short",
    width: int = 6,
    thresholds: tuple[Threshold, ...] = (),
) -> Panel:
    """A stat panel showing the latest value."""
    return Panel(title, description, queries, unit, "stat", width, thresholds)


def _targets(panel: Panel) -> list[prometheus.Dataquery]:
    return [
        prometheus.Dataquery()
        .datasource(DATASOURCE)
        .expr(query.expr)
        .legend_format(query.legend or "__auto")
        .ref_id(chr(ord("A") + index))
        .range()
        for index, query in enumerate(panel.queries)
    ]


def _thresholds(panel: Panel) -> dashboard_builders.ThresholdsConfig:
    steps = [model.Threshold(value=None, color="green")]
    steps += [model.Threshold(value=t.value, color=t.color) for t in panel.thresholds]
    return dashboard_builders.ThresholdsConfig().mode(model.ThresholdsMode.ABSOLUTE).steps(steps)


def _build_panel(panel: Panel, panel_id: int) -> timeseries.Panel | stat.Panel:
    built: timeseries.Panel | stat.Panel
    if panel.kind == "stat":
        built = (
            stat.Panel()
            .height(5)
            .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]))
            .graph_mode(common.BigValueGraphMode.AREA)
            .color_mode(common.BigValueColorMode.VALUE)
            .text_mode(common.BigValueTextMode.AUTO)
            .justify_mode(common.BigValueJustifyMode.AUTO)
            .orientation(common.VizOrientation.AUTO)
        )
    else:
        built = (
            timeseries.Panel()
            .height(8)
            .legend(
                common_builders.VizLegendOptions()
                .display_mode(common.LegendDisplayMode.LIST)
                .placement(common.LegendPlacement.BOTTOM)
                .show_legend(True)
            )
            .tooltip(
                common_builders.VizTooltipOptions()
                .mode(common.TooltipDisplayMode.MULTI)
                .sort(common.SortOrder.DESCENDING)
            )
            .line_width(1)
            .fill_opacity(10)
            .show_points(common.VisibilityMode.NEVER)
        )
    built = (
        built.id(panel_id)
        .title(panel.title)
        .description(panel.description)
        .datasource(DATASOURCE)
        .unit(panel.unit)
        .span(panel.width)
        .thresholds(_thresholds(panel))
    )
    for target in _targets(panel):
        built = built.with_target(target)
    return built


def _service_variable() -> dashboard_builders.QueryVariable:
    return (
        dashboard_builders.QueryVariable("service")
        .label("Service")
        .description("The service whose processes the panels show.")
        .datasource(DATASOURCE)
        .query("label_values(huleedu_event_loop_lag_seconds, service)")
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
        .include_all(False)
        .multi(False)
    )


def build(spec: Spec) -> model.Dashboard:
    """Lay a dashboard spec out on the grid (ids in order) and build the SDK's model."""
    board = (
        dashboard_builders.Dashboard(spec.title)
        .uid(spec.uid)
        .description(spec.description)
        .tags([TAG])
        .editable()
        .tooltip(model.DashboardCursorSync.CROSSHAIR)
        .time("now-6h", "now")
        .refresh("30s")
        .timezone("browser")
        .link(
            dashboard_builders.DashboardLink("HuleEdu dashboards")
            .type(model.DashboardLinkType.DASHBOARDS)
            .tags([TAG])
            .as_dropdown(True)
            .keep_time(True)
            .include_vars(False)
        )
    )
    if spec.service_variable:
        board = board.with_variable(_service_variable())
    next_id = 1
    for row in spec.rows:
        if sum(p.width for p in row.panels) % GRID_WIDTH:
            raise ValueError(f"{spec.title}: row {row.title!r} does not fill whole grid lines")
        board = board.with_row(dashboard_builders.Row(row.title).id(next_id))
        next_id += 1
        for panel in row.panels:
            board = board.with_panel(_build_panel(panel, next_id))
            next_id += 1
    return board.build()
