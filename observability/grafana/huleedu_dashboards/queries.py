"""The PromQL inside dashboard JSON: every target's expression and the metric names it reads."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_BRACES = re.compile(r"\{[^}]*\}|\[[^\]]*\]")
_LABEL_LISTS = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w.:])([A-Za-z_:][\w:]*)(?![\w:]|\s*\()")
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "Inf", "NaN"}
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


@dataclass(frozen=True)
class PanelQuery:
    """One target of one panel."""

    dashboard: str
    panel: str
    ref_id: str
    expr: str


def panel_queries(board: Mapping[str, Any]) -> Iterator[PanelQuery]:
    """Every target of every panel (rows included) of a dashboard's JSON."""
    for panel in board.get("panels", []):
        nested = [panel, *panel.get("panels", [])]
        for item in nested:
            for target in item.get("targets", []):
                yield PanelQuery(board["title"], item["title"], target["refId"], target["expr"])


def variables(expr: str) -> set[str]:
    """The dashboard variables an expression uses (`$service`, `${service}`)."""
    return {braced or bare for braced, bare in _VARIABLE.findall(expr)}


def substitute(expr: str, values: Mapping[str, str]) -> str:
    """The expression with each variable replaced by its value, as Grafana sends it."""
    return _VARIABLE.sub(lambda m: values[m.group(1) or m.group(2)], expr)


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (label names, functions and keywords excluded)."""
    bare = _LABEL_LISTS.sub(" ", _BRACES.sub(" ", _STRINGS.sub(" ", expr)))
    return {name for name in _IDENTIFIER.findall(bare) if name not in _KEYWORDS}
