"""Who the gateway acts for on a request."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Caller"]


@dataclass(frozen=True)
class Caller:
    """Who a downstream call is made for: the JWT subject and the request's correlation id."""

    user_id: str
    correlation_id: str
