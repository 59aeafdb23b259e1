"""Helpers for the project's own tests: random ids and pytest fixtures for real infrastructure."""

from huleedu_service_libs.testing.random_refs import random_id, random_name, random_suffix

__all__ = ["random_id", "random_name", "random_suffix"]
