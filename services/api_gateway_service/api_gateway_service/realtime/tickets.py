"""Single-use WebSocket tickets: a short-lived random key in Redis instead of a JWT in the URL."""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis

TICKET_KEY_PREFIX = "ws_ticket:"
# 32 random bytes, URL-safe: unguessable, and harmless if it shows up in an access log
# because it is gone after first use and expires within seconds anyway.
TICKET_BYTES = 32
MAX_TICKET_LENGTH = 128


def ticket_key(ticket: str) -> str:
    """The Redis key holding one ticket's user id."""
    return f"{TICKET_KEY_PREFIX}{ticket}"


class TicketStore:
    """Issues tickets bound to a user and consumes them atomically (GETDEL)."""

    def __init__(self, client: aioredis.Redis, *, ttl_seconds: int) -> None:
        self._client = client
        self._ttl = ttl_seconds

    @property
    def ttl_seconds(self) -> int:
        """How long an unused ticket stays valid."""
        return self._ttl

    async def issue(self, user_id: str) -> str:
        """A new ticket for `user_id`, valid once within the TTL."""
        ticket = secrets.token_urlsafe(TICKET_BYTES)
        await self._client.set(ticket_key(ticket), user_id, ex=self._ttl, nx=True)
        return ticket

    async def consume(self, ticket: str) -> str | None:
        """The ticket's user id, deleting it in the same step; None if unknown/expired/used."""
        if not ticket or len(ticket) > MAX_TICKET_LENGTH:
            return None
        value = await self._client.getdel(ticket_key(ticket))
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)
