"""One client socket: a bounded send queue drained by its own sender task."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

import structlog

from api_gateway_service.realtime import metrics
from api_gateway_service.realtime.protocol import CLOSE_TRY_AGAIN_LATER, REASON_TOO_SLOW

logger = structlog.get_logger(__name__)

# A close handshake with a client that stopped reading can hang; do not wait for it forever.
CLOSE_TIMEOUT_SECONDS = 5.0


class TextSocket(Protocol):
    """The part of a WebSocket the connection uses (Starlette's WebSocket has it)."""

    async def send_text(self, data: str) -> None:
        """Send one text frame."""
        ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Send a close frame."""
        ...


class ClientConnection:
    """Implements the hub's SocketSink: offer() never waits, put() waits for room (replays).

    A sender task does the I/O.
    """

    def __init__(
        self, socket: TextSocket, user_id: str, *, queue_size: int, correlation_id: str = ""
    ) -> None:
        self._socket = socket
        self._user_id = user_id
        self.correlation_id = correlation_id
        self._queue: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        self.ready = asyncio.Event()
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self.close_reason = ""
        self._sender: asyncio.Task[None] | None = None

    @property
    def user_id(self) -> str:
        """The authenticated owner of this socket."""
        return self._user_id

    def start(self) -> None:
        """Start the sender task."""
        self._sender = asyncio.create_task(self._send_loop(), name=f"ws-sender-{self._user_id}")

    def offer(self, text: str) -> bool:
        """Queue a frame; False when the queue is full (the caller then closes us)."""
        if self.closed.is_set():
            return True  # already closing; nothing more will be sent
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            return False
        return True

    async def put(self, text: str) -> bool:
        """Queue a frame, waiting for room; False once the socket is closing."""
        if self.closed.is_set():
            return False
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(text)
            return True
        putting = asyncio.ensure_future(self._queue.put(text))
        closing = asyncio.ensure_future(self.closed.wait())
        try:
            await asyncio.wait({putting, closing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
            queued = putting.done() and not putting.cancelled()
            putting.cancel()
        return queued

    def on_ready(self) -> None:
        """The subscription is confirmed and the ready frame is queued."""
        self.ready.set()

    def close_slow(self) -> None:
        """Close with 1013 because the client does not read fast enough."""
        if self.request_close(CLOSE_TRY_AGAIN_LATER, REASON_TOO_SLOW):
            metrics.SOCKETS_CLOSED.labels("too_slow").inc()
            logger.warning(
                "closing slow websocket", user_id=self._user_id, correlation_id=self.correlation_id
            )

    def request_close(self, code: int, reason: str) -> bool:
        """Ask for a close with `code`; the first request wins. True when this one did."""
        if self.closed.is_set():
            return False
        self.close_code, self.close_reason = code, reason
        self.closed.set()
        return True

    async def shutdown(self) -> None:
        """Stop the sender (even mid-send to a stuck client) and send the requested close."""
        sender, self._sender = self._sender, None
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
        if self.close_code is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                self._socket.close(self.close_code, self.close_reason), CLOSE_TIMEOUT_SECONDS
            )

    async def _send_loop(self) -> None:
        while True:
            text = await self._queue.get()
            try:
                await self._socket.send_text(text)
            except Exception as exc:
                # The peer is gone; the session's receive side notices and ends too.
                logger.info("websocket send failed", user_id=self._user_id, error=repr(exc))
                self.closed.set()  # no close frame: the transport is already unusable
                return
