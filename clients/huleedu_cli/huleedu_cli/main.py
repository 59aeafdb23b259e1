"""Entry point of the `huleedu` console script."""


def run() -> None:
    """Run the CLI."""
    raise SystemExit("huleedu: not built yet")
