"""A request body streamed through with a byte budget: never buffered, never over the limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import ClientDisconnect

from api_gateway_service.adapters.errors import NotADownstreamFailure

__all__ = ["ClientGone", "ClientTooSlow", "LimitedBody", "UploadTooLarge"]


class UploadTooLarge(NotADownstreamFailure):
    """The body grew past the gateway's upload limit while it was being forwarded."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"upload larger than {limit} bytes")
        self.limit = limit


class ClientGone(NotADownstreamFailure):
    """The client disconnected before its body was complete."""


class ClientTooSlow(NotADownstreamFailure):
    """The client did not finish sending its body in time (the downstream is not to blame)."""


class LimitedBody:
    """Counts the chunks of a client's body as they are forwarded; stops past `limit` bytes.

    `complete` turns true once the client's last chunk has been read: a failure before that
    happened while the client was still sending. The client gets `timeout_seconds` in all
    to send its body (None: no limit of its own).
    """

    def __init__(
        self,
        chunks: AsyncIterator[bytes],
        limit: int,
        *,
        timeout_seconds: float | None = None,
    ) -> None:
        self._chunks = chunks
        self._limit = limit
        self._timeout = timeout_seconds
        self.received = 0
        self.complete = False
        self.failure: NotADownstreamFailure | None = None

    def failed(self) -> NotADownstreamFailure | None:
        """The reason the body stopped early, if it did."""
        return self.failure

    async def __aiter__(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        deadline = None if self._timeout is None else loop.time() + self._timeout
        chunks = aiter(self._chunks)
        while True:
            try:
                # The deadline covers waiting for the client only, never a yield to the sender.
                async with asyncio.timeout_at(deadline):
                    chunk = await anext(chunks)
            except StopAsyncIteration:
                self.complete = True
                return
            except TimeoutError as exc:
                self.failure = ClientTooSlow("the client did not send its body in time")
                raise self.failure from exc
            except ClientDisconnect as exc:
                self.failure = ClientGone("client disconnected during the upload")
                raise self.failure from exc
            self.received += len(chunk)
            if self.received > self._limit:
                self.failure = UploadTooLarge(self._limit)
                raise self.failure
            if chunk:
                yield chunk
