"""Write HuleEdu's Grafana dashboards and provisioning files (`make dashboards`).

Usage: generate.py [--check]; with --check, write nothing and exit 1 when a committed file
differs from what the code produces now.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from huleedu_dashboards import render_files

HERE = Path(__file__).resolve().parent


def stale_files(root: Path) -> list[str]:
    """Generated files under `root` that are missing or differ from the code's output."""
    return [
        name
        for name, text in render_files().items()
        if not (root / name).is_file() or (root / name).read_text() != text
    ]


def write_files(root: Path) -> list[str]:
    """Write every generated file under `root`; return the ones that changed."""
    changed = stale_files(root)
    for name, text in render_files().items():
        if name in changed:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
    return changed


def main() -> int:
    """Generate (or with --check, verify) the files under observability/grafana/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify; write nothing")
    args = parser.parse_args()
    if args.check:
        stale = stale_files(HERE)
        for name in stale:
            print(f"stale: observability/grafana/{name} (run make dashboards)", file=sys.stderr)
        return 1 if stale else 0
    changed = write_files(HERE)
    for name in sorted(render_files()):
        print(f"{'wrote' if name in changed else 'unchanged'}: observability/grafana/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
