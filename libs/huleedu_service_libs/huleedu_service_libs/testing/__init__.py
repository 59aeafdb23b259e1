"""Helpers for the project's own tests: random ids and pytest fixtures for real infrastructure."""

from huleedu_service_libs.testing.random_refs import random_id, random_name, random_suffix
from huleedu_service_libs.testing.sample_events import SAMPLE_EVENTS, sample_event

__all__ = ["SAMPLE_EVENTS", "random_id", "random_name", "random_suffix", "sample_event"]
