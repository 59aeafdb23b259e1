"""Principals of tokens already verified, by the token's SHA-256, each until the token expires.

A teacher's client sends the same bearer token with every request; checking its signature and
claims once per token, not once per request, takes that work off the request path. An entry is
used only with the very key object that verified it: a JWKS refresh builds new key objects, so
after a key rotation every token is verified again (and refused if its key was withdrawn).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api_gateway_service.auth.principal import Principal

__all__ = ["VerifiedTokens"]


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    key: Any
    expires_at: float


class VerifiedTokens:
    """At most `max_entries` verified tokens, least recently used dropped first; 0 keeps none."""

    def __init__(self, max_entries: int, *, clock: Callable[[], float] = time.time) -> None:
        self._max_entries = max_entries
        # Wall-clock time: compared with the tokens' `exp` claims (seconds since the epoch).
        self._clock = clock
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str, key: Any) -> Principal | None:
        """The principal `token` was verified as with `key`, if that has not expired."""
        digest = _digest(token)
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if entry.key is not key or self._clock() >= entry.expires_at:
            del self._entries[digest]
            return None
        self._entries.move_to_end(digest)
        return entry.principal

    def put(self, token: str, key: Any, principal: Principal) -> None:
        """Remember `principal` for `token` verified with `key`, until the token's `exp`."""
        expires_at = principal.claims.get("exp")
        if self._max_entries <= 0 or not isinstance(expires_at, int | float):
            return
        if self._clock() >= expires_at:
            # Accepted only within the clock-skew leeway: verify it again every time.
            return
        digest = _digest(token)
        self._entries[digest] = _Entry(principal, key, float(expires_at))
        self._entries.move_to_end(digest)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
