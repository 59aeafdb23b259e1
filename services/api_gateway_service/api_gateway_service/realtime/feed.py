"""One socket's feed: live frames from the hub, and replays from its user's notification log.

A sync reads the log after the socket's position (its cursor; a resume request's event id; or,
for a new socket, just the log's tail), delivers what the socket has not had, then the live
frames that arrived meanwhile, then (when a subscription confirmation asked for it) `ready`.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from redis.exceptions import RedisError

from api_gateway_service.realtime import metrics
from api_gateway_service.realtime.delivery import DeliveryState, Frame, LiveOutcome
from api_gateway_service.realtime.ports import LogReader, SocketSink
from api_gateway_service.realtime.protocol import gap_message, ready_message
from huleedu_service_libs.realtime import LogRead

logger = structlog.get_logger(__name__)

# A log read right after a Redis reconnect may meet Redis going away again; retry briefly
# before telling the client it has a gap.
READ_ATTEMPTS = 3
READ_RETRY_SECONDS = 0.2
GAP_UNKNOWN_POSITION = "unknown_position"
GAP_LOG_UNAVAILABLE = "log_unavailable"


class SocketFeed:
    """Delivers to one SocketSink exactly once per event id, in log order after each sync."""

    def __init__(
        self,
        sink: SocketSink,
        log: LogReader,
        *,
        resume_from: str | None,
        remember: int,
        buffer_limit: int,
        read_timeout_seconds: float,
        read_slots: asyncio.Semaphore,
    ) -> None:
        self.sink = sink
        self._log = log
        self._read_slots = read_slots
        self._resume_from = resume_from
        self._read_timeout = read_timeout_seconds
        self.state = DeliveryState(remember=remember, buffer_limit=buffer_limit)
        self._task: asyncio.Task[None] | None = None
        self._wanted = False
        self._announce = False
        # A new socket whose first read failed has no position: its next tail read cannot
        # prove that nothing was missed in between.
        self._blind = False

    @property
    def idle(self) -> bool:
        """True when no sync is running or pending."""
        return self._task is None or self._task.done()

    def on_live(self, frame: Frame) -> None:
        """A frame from the user's channel."""
        outcome = self.state.live(frame)
        if outcome is LiveOutcome.DELIVER:
            self._offer(frame)
        elif outcome is LiveOutcome.DUPLICATE:
            metrics.DUPLICATES_DROPPED.inc()
            logger.info(
                "duplicate notification dropped", user_id=self.sink.user_id, event_id=frame.event_id
            )
        elif outcome is LiveOutcome.OVERFLOW:
            logger.warning("replay buffer full; closing", user_id=self.sink.user_id)
            self.sink.close_slow()

    def request_sync(self, *, announce_ready: bool) -> None:
        """Replay what the socket missed; then send ready if `announce_ready`."""
        self._wanted = True
        self._announce = self._announce or announce_ready
        # Hold live frames from this moment: the task starts later, and a frame delivered
        # before the replay would overtake older entries.
        self.state.begin_sync()
        if self.idle:
            self._task = asyncio.create_task(self._run(), name=f"ws-sync-{self.sink.user_id}")

    def request_resume(self, event_id: str, *, now: bool) -> None:
        """The client's last event id: replay after it now, or at the next subscription."""
        self._resume_from = event_id
        if now:
            self.request_sync(announce_ready=False)

    async def wait_idle(self) -> None:
        """Return once no sync is running or pending."""
        while self._task is not None and not self._task.done():
            await asyncio.wait({self._task})

    async def close(self) -> None:
        """Stop a running sync (the socket is going away)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while self._wanted:
            self._wanted = False
            announce, self._announce = self._announce, False
            self.state.begin_sync()
            if not await self._deliver(await self._replay()):
                return
            if not await self._drain(announce):
                return
            if not self._wanted:
                self.state.end_sync()  # no await since the buffer was found empty

    async def _replay(self) -> list[str]:
        resume_from = self._resume_from
        read = await self._read(resume_from)
        if read is None:
            self._blind = self._blind or self.state.cursor is None
            metrics.GAPS.labels(GAP_LOG_UNAVAILABLE).inc()
            return [gap_message(GAP_LOG_UNAVAILABLE)]
        self._blind = False
        if resume_from is not None and self._resume_from == resume_from:
            self._resume_from = None
        frames = [frame.text for frame in self.state.replay(read)]
        metrics.DELIVERIES.labels(metrics.REPLAYED).inc(len(frames))
        if frames or not read.complete:
            logger.info(
                "notifications replayed",
                user_id=self.sink.user_id,
                count=len(frames),
                complete=read.complete,
                cursor=self.state.cursor,
            )
        if read.complete:
            return frames
        metrics.GAPS.labels(GAP_UNKNOWN_POSITION).inc()
        return [gap_message(GAP_UNKNOWN_POSITION), *frames]

    async def _read(self, resume_from: str | None) -> LogRead | None:
        user_id, cursor = self.sink.user_id, self.state.cursor
        for attempt in range(1, READ_ATTEMPTS + 1):
            try:
                async with self._read_slots, asyncio.timeout(self._read_timeout):
                    if resume_from is not None:
                        return await self._log.read_after_event(user_id, resume_from)
                    if cursor is not None:
                        return await self._log.read_after(user_id, cursor)
                    return LogRead((), not self._blind, await self._log.tail(user_id))
            except (RedisError, OSError, TimeoutError) as exc:
                logger.warning(
                    "notification log read failed",
                    user_id=user_id,
                    attempt=attempt,
                    error=repr(exc),
                )
                if attempt < READ_ATTEMPTS:
                    await asyncio.sleep(READ_RETRY_SECONDS * attempt)
        return None

    async def _drain(self, announce: bool) -> bool:
        while True:
            frame = self.state.next_buffered()
            if frame is not None:
                if not await self.sink.put(frame.text):
                    return False
                metrics.DELIVERIES.labels(metrics.LIVE).inc()
                continue
            if not announce:
                return True
            if not await self.sink.put(ready_message(self.sink.user_id)):
                return False
            self.sink.on_ready()
            announce = False

    async def _deliver(self, texts: list[str]) -> bool:
        for text in texts:
            if not await self.sink.put(text):
                return False
        return True

    def _offer(self, frame: Frame) -> None:
        if self.sink.offer(frame.text):
            metrics.DELIVERIES.labels(metrics.LIVE).inc()
            return
        # Never drop silently: a socket that cannot keep up is closed instead.
        logger.warning(
            "socket send queue full; closing",
            user_id=self.sink.user_id,
            correlation_id=frame.correlation_id,
        )
        self.sink.close_slow()
