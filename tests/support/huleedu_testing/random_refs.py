"""Random names so tests never see each other's rows, topics or channels."""

from __future__ import annotations

import uuid


def random_suffix() -> str:
    """Eight hex characters, unique enough for one test run."""
    return uuid.uuid4().hex[:8]


def random_name(prefix: str) -> str:
    """`prefix-<suffix>`, for topics, groups and channels."""
    return f"{prefix}-{random_suffix()}"


def random_id() -> str:
    """A UUID string, for aggregate ids such as batch ids."""
    return str(uuid.uuid4())
