"""`python -m huleedu_service_libs.healthcheck PORT [live|ready]`: exit 0 when the process on
PORT answers its probe (/healthz/live or /healthz/ready) with 200, 1 otherwise.

For container healthchecks and scripts. Standard library only, so it starts in milliseconds
(the observability package would import SQLAlchemy and Redis first).
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Sequence

__all__ = ["main", "probe_url"]

PROBES = ("live", "ready")
TIMEOUT_SECONDS = 3.0
USAGE = "usage: python -m huleedu_service_libs.healthcheck PORT [live|ready]"


def probe_url(port: int, probe: str, host: str = "127.0.0.1") -> str:
    """The URL of a process's liveness or readiness probe."""
    if probe not in PROBES:
        raise ValueError(f"probe must be one of {PROBES}, not {probe!r}")
    return f"http://{host}:{port}/healthz/{probe}"


def main(argv: Sequence[str] | None = None) -> int:
    """Probe once; print the body (stdout on 200, stderr otherwise); return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        url = probe_url(int(args[0]), args[1] if len(args) > 1 else "ready")
    except (IndexError, ValueError) as exc:
        print(f"{USAGE} ({exc})", file=sys.stderr)
        return 2
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            print(response.read().decode("utf-8", errors="replace"))
            return 0
    except urllib.error.HTTPError as exc:
        print(f"{exc.code} {exc.read().decode('utf-8', errors='replace')}", file=sys.stderr)
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
