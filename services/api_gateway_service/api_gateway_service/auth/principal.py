"""The authenticated caller of a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Principal"]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: the JWT subject and all of its claims."""

    user_id: str
    claims: Mapping[str, Any] = field(default_factory=dict)
