"""HuleEdu's test-support package: fixtures, stubs, fakes, clients and sample files for tests.

Tests, benchmarks and the demo/drill scripts import it; no product module does (and no product
package depends on it: tests/test_package_boundaries.py checks). Not installed: pytest and mypy
find it through their path settings in pyproject.toml, launch scripts through PYTHONPATH.
The package root offers random ids and sample events.
"""

from huleedu_testing.random_refs import random_id, random_name, random_suffix
from huleedu_testing.sample_events import SAMPLE_EVENTS, sample_event

__all__ = ["SAMPLE_EVENTS", "random_id", "random_name", "random_suffix", "sample_event"]
