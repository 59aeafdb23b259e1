"""A request body streamed through with a byte budget: never buffered, never over the limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import ClientDisconnect

from api_gateway_service.adapters.errors import NotADownstreamFailure

__all__ = ["ClientGone", "LimitedBody", "UploadTooLarge"]


class UploadTooLarge(NotADownstreamFailure):
    """The body grew past the gateway's upload limit while it was being forwarded."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"upload larger than {limit} bytes")
        self.limit = limit


class ClientGone(NotADownstreamFailure):
    """The client disconnected before its body was complete."""


class LimitedBody:
    """Counts the chunks of a client's body as they are forwarded; stops past `limit` bytes."""

    def __init__(self, chunks: AsyncIterator[bytes], limit: int) -> None:
        self._chunks = chunks
        self._limit = limit
        self.received = 0
        self.failure: NotADownstreamFailure | None = None

    def failed(self) -> NotADownstreamFailure | None:
        """The reason the body stopped early, if it did."""
        return self.failure

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._chunks:
                self.received += len(chunk)
                if self.received > self._limit:
                    self.failure = UploadTooLarge(self._limit)
                    raise self.failure
                if chunk:
                    yield chunk
        except ClientDisconnect as exc:
            self.failure = ClientGone("client disconnected during the upload")
            raise self.failure from exc
