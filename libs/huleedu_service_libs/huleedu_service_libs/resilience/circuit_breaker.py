"""An asyncio circuit breaker on pybreaker's state machine that never holds a lock across an await.

pybreaker keeps the states (closed, open, half-open), the counters, the thresholds and the
listeners. Its own `call_async` needs tornado and holds the breaker's lock for the whole call,
which would serialise every request, so this module drives the state objects itself: decide
under the lock, release it, await the call, then record the outcome under the lock again.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import pybreaker
from prometheus_client import Counter, Gauge

from huleedu_service_libs.resilience.outages import DownstreamDependencyUnavailable

P = ParamSpec("P")
T = TypeVar("T")

#: An exception type, or a predicate over the exception, that is not a downstream failure.
Exclusion = type[BaseException] | Callable[[BaseException], bool]

STATE_GAUGE = Gauge(
    "huleedu_circuit_breaker_state",
    "Circuit breaker state: 0 closed, 1 half-open, 2 open",
    ["service", "breaker"],
)
TRANSITIONS = Counter(
    "huleedu_circuit_breaker_transitions_total",
    "Circuit breaker state changes, by the state left and the state entered",
    ["service", "breaker", "from_state", "to_state"],
)
REJECTIONS = Counter(
    "huleedu_circuit_breaker_rejections_total",
    "Calls refused without reaching the downstream because the circuit was open",
    ["service", "breaker"],
)
_GAUGE_VALUES = {pybreaker.STATE_CLOSED: 0, pybreaker.STATE_HALF_OPEN: 1, pybreaker.STATE_OPEN: 2}
_TRANSITIONS = (
    (pybreaker.STATE_CLOSED, pybreaker.STATE_OPEN),
    (pybreaker.STATE_OPEN, pybreaker.STATE_HALF_OPEN),
    (pybreaker.STATE_HALF_OPEN, pybreaker.STATE_OPEN),
    (pybreaker.STATE_HALF_OPEN, pybreaker.STATE_CLOSED),
)

# Long enough that a dead downstream costs one trial call per breaker every few seconds, short
# enough that traffic flows again within a few seconds of its recovery: an open circuit refuses
# every call for the whole timeout even when the downstream came back right after it opened.
DEFAULT_RESET_TIMEOUT_SECONDS = 5.0

# While the half-open trial is in flight its outcome is unknown; it usually answers within one
# request timeout, so callers are asked back soon rather than after a whole reset timeout.
TRIAL_BUSY_RETRY_AFTER = 1.0


class CircuitOpenError(Exception):
    """Raised instead of calling the downstream while the circuit is open."""

    def __init__(self, name: str, retry_after: float) -> None:
        super().__init__(f"circuit breaker {name!r} is open; retry after {retry_after:.1f} s")
        self.name = name
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class _Permit:
    """Why one call was let through: the state generation it saw and whether it is the trial."""

    generation: int
    trial: bool


class _StateListener(pybreaker.CircuitBreakerListener):
    """Forwards pybreaker's state changes (made under its lock) to the owning breaker."""

    def __init__(self, on_change: Callable[[str | None, str], None]) -> None:
        self._on_change = on_change

    def state_change(
        self,
        cb: pybreaker.CircuitBreaker,
        old_state: pybreaker.CircuitBreakerState | None,
        new_state: pybreaker.CircuitBreakerState,
    ) -> None:
        """Report the old and the new state's names."""
        self._on_change(old_state.name if old_state is not None else None, new_state.name)


class AsyncCircuitBreaker:
    """Fails fast while a downstream keeps failing and lets one trial call probe its recovery.

    A `DownstreamDependencyUnavailable` raised inside (the downstream answered at once that its
    own dependency is down) is never counted as a failure of the downstream.

    Its metrics (state, transitions, rejections) carry `service` and the breaker's name.

    Put the call's timeout inside the wrapped call (e.g. the HTTP client's timeout): a
    `TimeoutError` raised inside counts as a failure, while cancellation from outside
    (`asyncio.wait_for` around `call`) says nothing about the downstream and is not counted.
    """

    def __init__(
        self,
        name: str,
        fail_max: int = 5,
        reset_timeout: float = DEFAULT_RESET_TIMEOUT_SECONDS,
        excluded_exceptions: Iterable[Exclusion] = (),
        success_threshold: int = 1,
        *,
        service: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if fail_max < 1 or success_threshold < 1 or reset_timeout < 0:
            raise ValueError("fail_max and success_threshold must be >= 1, reset_timeout >= 0")
        self.name = name
        self._labels = (service, name)
        self._clock = clock
        self._opened_at = 0.0
        # Bumped on every state change so results of calls admitted under an earlier state
        # (a slow call that started before the circuit opened) cannot move the new state.
        self._generation = 0
        self._trial_in_flight = False
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_timeout,
            success_threshold=success_threshold,
            exclude=[DownstreamDependencyUnavailable, *excluded_exceptions],
            listeners=[_StateListener(self._on_state_change)],
            name=name,
        )
        STATE_GAUGE.labels(*self._labels).set(_GAUGE_VALUES[pybreaker.STATE_CLOSED])
        # Every series exists from the start: rate() over a counter needs its zero.
        REJECTIONS.labels(*self._labels)
        for from_state, to_state in _TRANSITIONS:
            TRANSITIONS.labels(*self._labels, from_state, to_state)

    def __repr__(self) -> str:
        return f"AsyncCircuitBreaker(name={self.name!r}, state={self.state!r})"

    @property
    def state(self) -> str:
        """The state name: "closed", "open" or "half-open"."""
        with self._breaker._lock:
            return self._breaker.current_state

    @property
    def retry_after_seconds(self) -> float:
        """Seconds until a call may be let through again (0 when one would be now)."""
        with self._breaker._lock:
            state = self._breaker.current_state
            if state == pybreaker.STATE_OPEN:
                return self._open_remaining()
            if state == pybreaker.STATE_HALF_OPEN and self._trial_in_flight:
                return TRIAL_BUSY_RETRY_AFTER
            return 0.0

    async def call(self, func: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """Await `func(*args, **kwargs)` through the breaker; raise CircuitOpenError if open."""
        async with self.guard():
            return await func(*args, **kwargs)

    @asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """Run the block through the breaker (`async with breaker.guard():`), like `call`."""
        permit = self._admit()
        try:
            yield
        except Exception as exc:
            self._record(permit, exc)
            raise
        except BaseException:
            # Cancellation and shutdown say nothing about the downstream's health.
            self._release(permit)
            raise
        else:
            self._record(permit, None)

    def _admit(self) -> _Permit:
        with self._breaker._lock:
            state = self._breaker.current_state
            if state == pybreaker.STATE_OPEN:
                remaining = self._open_remaining()
                if remaining > 0:
                    self._reject(remaining)
                self._breaker.half_open()
                state = pybreaker.STATE_HALF_OPEN
            if state == pybreaker.STATE_HALF_OPEN:
                # Exactly one trial at a time; everyone else fails fast until it reports.
                if self._trial_in_flight:
                    self._reject(TRIAL_BUSY_RETRY_AFTER)
                self._trial_in_flight = True
                return _Permit(self._generation, trial=True)
            return _Permit(self._generation, trial=False)

    def _record(self, permit: _Permit, exc: Exception | None) -> None:
        with self._breaker._lock:
            self._release_trial(permit)
            if permit.generation != self._generation:
                return
            state = self._breaker.state
            try:
                if exc is None:
                    state._handle_success()
                else:
                    state._handle_error(exc, reraise=False)
            except pybreaker.CircuitBreakerError:
                # pybreaker announces a trip by raising; the caller gets the downstream's error.
                pass

    def _release(self, permit: _Permit) -> None:
        with self._breaker._lock:
            self._release_trial(permit)

    def _release_trial(self, permit: _Permit) -> None:
        if permit.trial:
            self._trial_in_flight = False

    def _reject(self, retry_after: float) -> None:
        REJECTIONS.labels(*self._labels).inc()
        raise CircuitOpenError(self.name, retry_after)

    def _open_remaining(self) -> float:
        elapsed = self._clock() - self._opened_at
        return max(0.0, float(self._breaker.reset_timeout) - elapsed)

    def _on_state_change(self, old_state: str | None, new_state: str) -> None:
        self._generation += 1
        if new_state == pybreaker.STATE_OPEN:
            self._opened_at = self._clock()
        STATE_GAUGE.labels(*self._labels).set(_GAUGE_VALUES[new_state])
        if old_state is not None and old_state != new_state:
            TRANSITIONS.labels(*self._labels, old_state, new_state).inc()
