"""Copy a YAML configuration with a few values replaced: `render_config.py SRC DST a.b=VALUE ...`.

prometheus.sh and alertmanager.sh run the repository's files as they are, except when a test
asks for shorter intervals (HULEEDU_PROMETHEUS_*_INTERVAL, HULEEDU_ALERTMANAGER_GROUP_*):
then they run this copy, which differs only in the named keys. An empty VALUE keeps the
file's own.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml


def override(config: dict[str, Any], dotted: str, value: str) -> None:
    """Set `config[a][b]` for `dotted` "a.b"; the key must exist already (no typos pass)."""
    *parents, leaf = dotted.split(".")
    node = config
    for key in parents:
        node = node[key]
    if leaf not in node:
        raise KeyError(f"{dotted} is not in the configuration")
    node[leaf] = value


def render(source: Path, target: Path, assignments: list[str]) -> None:
    """Write `source` to `target` with each non-empty `key=value` of `assignments` applied."""
    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    for assignment in assignments:
        dotted, _, value = assignment.partition("=")
        if value:
            override(config, dotted, value)
    header = f"# Rendered from {source} by scripts/infra/render_config.py; do not edit.\n"
    target.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def main(argv: list[str]) -> int:
    """Command line entry point."""
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    render(Path(argv[0]), Path(argv[1]), argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
