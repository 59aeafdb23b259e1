"""How a consumer retries one message: handler bugs get few attempts, outages get time.

A handler error that is about the message (a bug, a rule violation) is retried max_attempts
times and then dead-lettered. An error that says a dependency is briefly away (a database
restart, a timeout, a service behind an open circuit) is retried with capped backoff for up to
transient_budget_seconds, so a short outage never dead-letters a whole window of messages.
A stop request during the waits aborts without a verdict, so the offset is not committed.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.exc import InterfaceError, OperationalError


class PoisonMessageError(Exception):
    """The message can never be handled (undecodable, unknown type): dead-letter it at once."""


class TransientError(Exception):
    """Raise from a handler when a dependency is briefly unavailable (retry, don't count)."""


class StopRequested(Exception):
    """The runner is stopping; the message stays uncommitted and is read again later."""


DEFAULT_TRANSIENT: tuple[type[BaseException], ...] = (
    TransientError,
    ConnectionError,
    TimeoutError,
    OSError,
    OperationalError,
    InterfaceError,
)


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts for handler errors, a time budget for outages, and the backoff between."""

    max_attempts: int = 3
    initial_backoff_seconds: float = 0.2
    max_backoff_seconds: float = 5.0
    transient_budget_seconds: float = 120.0
    transient_exceptions: tuple[type[BaseException], ...] = DEFAULT_TRANSIENT

    def backoff(self, failures: int) -> float:
        """Exponential backoff with full jitter on top (so retries do not align)."""
        growth = 2.0 ** max(failures - 1, 0)
        base = min(self.initial_backoff_seconds * growth, self.max_backoff_seconds)
        return base + random.uniform(0, self.initial_backoff_seconds)

    def is_transient(self, exc: BaseException) -> bool:
        """True for errors that mean 'try again soon', not 'this message is bad'."""
        return isinstance(exc, self.transient_exceptions) or _lost_a_race(exc)


# PostgreSQL aborts one of two transactions that deadlock (40P01) or that conflict under
# SERIALIZABLE (40001). With partitions handled concurrently that can happen between two
# healthy messages; the loser succeeds when tried again, so it must not count toward the DLQ.
RACE_SQLSTATES = frozenset({"40P01", "40001"})


def _lost_a_race(exc: BaseException) -> bool:
    original = getattr(exc, "orig", None)
    return getattr(original, "sqlstate", None) in RACE_SQLSTATES


@dataclass
class Outcome:
    """The last error (None on success) and how many times the handler ran."""

    error: Exception | None
    attempts: int


async def run_with_policy(
    call: Callable[[], Awaitable[None]],
    policy: RetryPolicy,
    stopping: asyncio.Event,
    on_failure: Callable[[Exception, int], None],
) -> Outcome:
    """Run `call` until it succeeds or the policy gives up; raises StopRequested on stop."""
    attempts = 0
    counted_failures = 0
    transient_since: float | None = None
    while True:
        attempts += 1
        try:
            await call()
            return Outcome(None, attempts)
        except PoisonMessageError as exc:
            on_failure(exc, attempts)
            return Outcome(exc, attempts)
        except Exception as exc:
            on_failure(exc, attempts)
            if policy.is_transient(exc):
                transient_since = transient_since or time.monotonic()
                if time.monotonic() - transient_since >= policy.transient_budget_seconds:
                    return Outcome(exc, attempts)
                delay = policy.backoff(attempts)
            else:
                counted_failures += 1
                if counted_failures >= policy.max_attempts:
                    return Outcome(exc, attempts)
                delay = policy.backoff(counted_failures)
        if await _stop_requested_within(stopping, delay):
            raise StopRequested


async def _stop_requested_within(stopping: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(stopping.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
