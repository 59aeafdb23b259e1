"""JWKS keys with throttled refetching: an unknown kid cannot make the gateway fetch at will."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

import jwt

__all__ = ["JwksKeys", "KeysUnavailable", "SigningKeys"]


class KeysUnavailable(Exception):
    """The key set has never been fetched successfully (the JWKS endpoint is unreachable)."""


class SigningKeys(Protocol):
    """Published signing keys by kid (JwksKeys; a fake in tests)."""

    async def key_for(self, kid: str | None) -> jwt.PyJWK | None:
        """The signing key with this kid, or None; KeysUnavailable if none can be had."""
        ...


class JwksKeys:
    """Signing keys from a JWKS URL, cached for `cache_seconds`.

    PyJWKClient on its own refetches the set for every unknown `kid`, in a thread, with no
    limit; before rate limiting applies, an unauthenticated flood of random kids would keep
    every worker thread fetching and stall all authentication. Here a fetch (for an expired
    cache or an unknown kid) happens at most once per `min_refetch_seconds`; within that
    interval an unknown kid simply has no key.
    """

    def __init__(
        self,
        url: str,
        *,
        cache_seconds: float,
        min_refetch_seconds: float,
        fetch_timeout_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = jwt.PyJWKClient(url, cache_jwk_set=False, timeout=fetch_timeout_seconds)
        self._cache_seconds = cache_seconds
        self._min_refetch = min_refetch_seconds
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> jwt.PyJWK | None:
        """The signing key with this kid, or None; KeysUnavailable if no set was ever fetched."""
        fetched = self._fetched_at
        expired = fetched is None or self._clock() - fetched >= self._cache_seconds
        if expired or (kid is not None and kid not in self._keys):
            await self._refresh()
        if self._fetched_at is None:
            raise KeysUnavailable("the JWKS endpoint has not answered yet")
        return self._keys.get(kid) if kid is not None else None

    async def _refresh(self) -> None:
        async with self._lock:
            now = self._clock()
            if self._last_attempt is not None and now - self._last_attempt < self._min_refetch:
                # Fetched (or tried) a moment ago, possibly by a request queued before this one.
                return
            self._last_attempt = now
            try:
                # PyJWKClient fetches with blocking urllib: keep it off the event loop.
                jwk_set = await asyncio.to_thread(self._client.get_jwk_set, True)
            except jwt.PyJWTError:
                # Keep serving the keys already known; a never-fetched set stays unavailable.
                return
            self._keys = {
                key.key_id: key
                for key in jwk_set.keys
                if key.key_id and key.public_key_use in ("sig", None)
            }
            self._fetched_at = self._clock()
