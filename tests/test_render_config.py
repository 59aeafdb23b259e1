"""scripts/infra/render_config.py: a copy of a config that differs only in the named keys."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .scripts_loader import load_script

ROOT = Path(__file__).resolve().parents[1]

render_config = load_script("scripts/infra/render_config.py")


def test_the_prometheus_copy_differs_only_in_the_intervals(tmp_path: Path) -> None:
    target = tmp_path / "prometheus.yml"

    render_config.render(
        ROOT / "prometheus.yml",
        target,
        ["global.scrape_interval=2s", "global.evaluation_interval=5s"],
    )

    original = yaml.safe_load((ROOT / "prometheus.yml").read_text())
    copy = yaml.safe_load(target.read_text())
    assert copy["global"] == {"scrape_interval": "2s", "evaluation_interval": "5s"}
    del original["global"], copy["global"]
    assert copy == original


def test_an_empty_value_keeps_the_files_own(tmp_path: Path) -> None:
    source = ROOT / "observability" / "alertmanager" / "alertmanager.yml"
    target = tmp_path / "alertmanager.yml"

    render_config.render(source, target, ["route.group_wait=1s", "route.group_interval="])

    route = yaml.safe_load(target.read_text())["route"]
    assert route["group_wait"] == "1s"
    assert route["group_interval"] == yaml.safe_load(source.read_text())["route"]["group_interval"]


def test_a_key_the_file_does_not_have_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match=r"global\.scrape_intervall"):
        render_config.render(
            ROOT / "prometheus.yml", tmp_path / "x.yml", ["global.scrape_intervall=2s"]
        )
