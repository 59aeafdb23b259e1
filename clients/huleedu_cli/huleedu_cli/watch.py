"""Following a batch live over the gateway's WebSocket (ticket auth, ping/pong, one reconnect).

The reconnect resumes: it sends the event id of the last notification received, and the
gateway replays what followed it before `ready`. A `gap` (the gateway's log no longer reaches
back that far) is not handled apart: with --until-done, every ready after the first already
makes the on-ready hook check the batch over REST.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from common_core.enums import BatchStatus
from common_core.errors import ErrorCode
from common_core.notifications import DEFAULT_LOCALE, Locale, try_render
from common_core.result_api import BatchResultV1
from huleedu_cli.api import GatewayApi, JsonDict
from huleedu_cli.errors import EXIT_API_ERROR, EXIT_OK, CliError

RESULTS_READY = "batch_results_ready"
PIPELINE_COMPLETED = "pipeline_completed"
PIPELINE_DENIED = "pipeline_denied"
PROGRESS = "essay_results_available"

# Close codes after which reconnecting cannot help (ticket refused, too many sockets).
_FATAL_CLOSE = {1008: "the gateway refused the live connection", 4000: "too many open connections"}

_DONE_OK = {BatchStatus.COMPLETED, BatchStatus.COMPLETED_WITH_FAILURES}
_DONE_FAILED = {BatchStatus.FAILED, BatchStatus.CANCELLED}


@dataclass(frozen=True)
class WatchOptions:
    """What to follow and when to stop."""

    batch_id: str | None = None
    until_done: bool = False
    timeout_s: float | None = None
    # How long to wait for batch_results_ready once pipeline_completed has arrived.
    results_grace_s: float = 10.0


@dataclass(frozen=True)
class WatchOutcome:
    """Why watching stopped, and the exit code that says so."""

    exit_code: int
    reason: str
    notification: JsonDict | None = None


OnReady = Callable[[bool], Awaitable[WatchOutcome | None]]
OnNotification = Callable[[JsonDict], None]


def progress_of(notification: JsonDict) -> tuple[int, int] | None:
    """(processed, expected) from an essay_results_available notification's params."""
    params = notification.get("params")
    if notification.get("notification_type") != PROGRESS or not isinstance(params, dict):
        return None
    try:
        return int(params["processed_count"]), int(params["expected_count"])
    except (KeyError, TypeError, ValueError):
        return None


def outcome_from_batch(batch: BatchResultV1, since: datetime | None) -> WatchOutcome | None:
    """A finished outcome when the batch already completed (after `since`, if given)."""
    if batch.completed_at is None or batch.status not in _DONE_OK | _DONE_FAILED:
        return None
    if since is not None and batch.completed_at < since:
        return None  # an earlier pipeline's completion, not the one being watched
    code = EXIT_OK if batch.status in _DONE_OK else EXIT_API_ERROR
    return WatchOutcome(code, f"batch {batch.status}")


def status_check(api: GatewayApi, batch_id: str, since: datetime | None = None) -> OnReady:
    """An on-ready hook that ends the watch when the batch has already finished.

    Runs after the socket is subscribed, so a completion cannot slip between check and watch.
    """

    async def check(_reconnected: bool) -> WatchOutcome | None:
        batch = BatchResultV1.model_validate(await api.get_batch(batch_id))
        return outcome_from_batch(batch, since)

    return check


class _Watcher:
    def __init__(self, options: WatchOptions, on_notification: OnNotification) -> None:
        self.options = options
        self.on_notification = on_notification
        self.grace_deadline: float | None = None
        self.last_completed: JsonDict | None = None
        self.ready_seen = False
        # Of any notification, not only the watched batch's: it is the socket's position.
        self.last_event_id: str | None = None

    def handle(self, message: JsonDict) -> WatchOutcome | None:
        """Show a notification; decide whether it ends an --until-done watch."""
        event_id = message.get("event_id")
        if isinstance(event_id, str) and event_id:
            self.last_event_id = event_id
        batch_id = self.options.batch_id
        if batch_id is not None and message.get("batch_id") != batch_id:
            return None
        self.on_notification(message)
        if not self.options.until_done:
            return None
        kind = message.get("notification_type")
        if kind == RESULTS_READY:
            return WatchOutcome(EXIT_OK, RESULTS_READY, message)
        if kind == PIPELINE_DENIED:
            return WatchOutcome(EXIT_API_ERROR, PIPELINE_DENIED, message)
        if kind == PIPELINE_COMPLETED and self.grace_deadline is None:
            loop = asyncio.get_running_loop()
            self.grace_deadline = loop.time() + self.options.results_grace_s
            self.last_completed = message
        return None


async def watch(
    api: GatewayApi,
    options: WatchOptions,
    on_notification: OnNotification,
    on_ready: OnReady | None = None,
) -> WatchOutcome:
    """Follow notifications until done, timed out, or (without --until-done) interrupted."""
    loop = asyncio.get_running_loop()
    deadline = None if options.timeout_s is None else loop.time() + options.timeout_s
    watcher = _Watcher(options, on_notification)
    outcome = await _one_connection(api, watcher, on_ready, deadline)
    if outcome is None:  # the socket dropped: once more, with a new ticket
        outcome = await _one_connection(api, watcher, on_ready, deadline)
    if outcome is None:
        raise CliError(
            code=ErrorCode.SERVICE_UNAVAILABLE,
            message="The live connection to the gateway dropped again after reconnecting",
        )
    return outcome


async def _one_connection(
    api: GatewayApi,
    watcher: _Watcher,
    on_ready: OnReady | None,
    deadline: float | None,
) -> WatchOutcome | None:
    """Run one socket to its end; None means it dropped and a reconnect may follow."""
    loop = asyncio.get_running_loop()
    async with api.notifications(watcher.last_event_id) as socket:
        while True:
            wait = _time_left(loop.time(), deadline, watcher.grace_deadline)
            try:
                message = await asyncio.wait_for(socket.receive(), wait)
            except TimeoutError:
                return _expired(watcher)
            if message is None:
                _raise_if_fatal(socket.close_code, socket.close_reason)
                return None
            kind = message.get("type")
            if kind == "ping":
                await socket.send({"type": "pong"})
            elif kind == "ready":
                # Every ready after the very first (a new socket, or the gateway's own Redis
                # reconnect) may follow a gap in which notifications were lost.
                reconnected = watcher.ready_seen
                watcher.ready_seen = True
                if on_ready is not None:
                    early = await on_ready(reconnected)
                    if early is not None:
                        return early
            elif kind == "notification":
                outcome = watcher.handle(message)
                if outcome is not None:
                    return outcome


class LiveConnectionRefused(CliError):
    """The gateway closed the socket for a reason a reconnect would not fix."""

    def describe(self) -> str:
        """The gateway's close reason is the whole story."""
        return self.message


def _raise_if_fatal(code: int | None, reason: str) -> None:
    if code in _FATAL_CLOSE:
        why = f": {reason}" if reason else ""
        raise LiveConnectionRefused(
            code=ErrorCode.FORBIDDEN if code == 1008 else ErrorCode.CONFLICT,
            message=f"{_FATAL_CLOSE[code].capitalize()} (close code {code}){why}.",
            details={"close_code": code, "reason": reason},
        )


def _time_left(now: float, *deadlines: float | None) -> float | None:
    live = [d for d in deadlines if d is not None]
    return max(0.0, min(live) - now) if live else None


def _expired(watcher: _Watcher) -> WatchOutcome:
    if watcher.grace_deadline is not None:
        # pipeline_completed came and no results notification followed within the grace.
        return WatchOutcome(EXIT_OK, PIPELINE_COMPLETED, watcher.last_completed)
    if watcher.options.until_done:
        target = f" for batch {watcher.options.batch_id}" if watcher.options.batch_id else ""
        raise CliError(
            code=ErrorCode.TIMEOUT,
            message=f"Timed out after {watcher.options.timeout_s:g} s waiting{target} to finish",
            details={"timeout_s": watcher.options.timeout_s},
        )
    return WatchOutcome(EXIT_OK, "timeout")


def notification_text(message: JsonDict, locale: Locale = DEFAULT_LOCALE) -> str:
    """The notification's text in `locale` from the catalogue, else the text the gateway sent."""
    params = message.get("params")
    kind = message.get("notification_type")
    if isinstance(kind, str) and isinstance(params, dict):
        text = try_render(kind, params, locale)
        if text is not None:
            return text
    return str(message.get("message") or "")


def describe_notification(message: JsonDict, locale: Locale = DEFAULT_LOCALE) -> str:
    """One line per notification: time, type, batch and text."""
    stamp = str(message.get("timestamp") or "")[11:19]
    kind = message.get("notification_type", "?")
    batch = message.get("batch_id")
    where = f" [{batch}]" if batch else ""
    return f"{stamp} {kind}{where} {notification_text(message, locale)}".strip()
