"""Repository-wide pytest setup: real-infrastructure fixtures and tier markers by folder."""

from __future__ import annotations

import pytest

pytest_plugins = [
    "huleedu_testing.fixtures",
    "huleedu_testing.outage_fixtures",
]

_TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier from its folder, so `-m unit|integration|e2e` sees them all."""
    for item in items:
        if any(item.get_closest_marker(tier) for tier in _TIERS):
            continue
        parts = item.path.parts
        if "e2e" in parts:
            item.add_marker(pytest.mark.e2e)
        elif "integration" in parts:
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)
