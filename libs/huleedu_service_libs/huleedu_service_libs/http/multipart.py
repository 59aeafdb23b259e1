"""multipart/form-data bodies read strictly: every part, or a message naming what is wrong.

Framework form parsers are lenient on purpose: a part whose headers are not UTF-8, or whose
Content-Disposition a raw line break or quote in the filename has broken, is dropped or turned
into a plain field, and the caller sees a body "with no files". Here werkzeug's sans-IO decoder
does the framing (boundaries, streaming) and every part's headers are checked before the part
is used, so a client is told e.g. "part 2 has a malformed Content-Disposition header: ...".
A body with more parts than `max_parts` raises werkzeug's RequestEntityTooLarge (a 413).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.sansio.multipart import (
    Data,
    Epilogue,
    Field,
    File,
    MultipartDecoder,
    NeedData,
    State,
)

from huleedu_service_libs.http.content_disposition import (
    DispositionError,
    parse_content_disposition,
)

__all__ = [
    "FormPart",
    "FormPartsDecoder",
    "MalformedMultipart",
    "parse_form_parts",
    "read_form_parts",
]

_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


class MalformedMultipart(ValueError):
    """Not valid multipart/form-data; `message` says where and what (lower case, no stop)."""

    def __init__(self, message: str, *, part: int | None = None, header: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.part = part
        self.header = header

    @property
    def details(self) -> dict[str, Any]:
        """The part (1-based) and header concerned, for an error body's details."""
        found = {"part": self.part, "header": self.header}
        return {key: value for key, value in found.items() if value is not None}


@dataclass(frozen=True)
class FormPart:
    """One part of the body: its position (1-based), field name, filename and bytes."""

    index: int
    name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class _OpenPart:
    index: int
    name: str
    filename: str | None
    content_type: str | None
    data: bytearray = field(default_factory=bytearray)


class FormPartsDecoder:
    """Feed the body in chunks (then None); `parts` holds every complete part in order."""

    def __init__(self, boundary: str, *, max_parts: int | None = None) -> None:
        if not boundary or len(boundary) > 70 or not boundary.isascii():
            raise MalformedMultipart(
                "the Content-Type header's boundary is missing or invalid", header="Content-Type"
            )
        self._decoder = MultipartDecoder(boundary.encode("ascii"), max_parts=max_parts)
        self._delimiter = b"--" + boundary.encode("ascii")
        self._held = b""
        self._started = 0
        self._open: _OpenPart | None = None
        self.parts: list[FormPart] = []

    def feed(self, chunk: bytes | None) -> None:
        """Decode a chunk of the body (None: the body ended)."""
        if chunk is None:
            self._decode(self._held)
            self._held = b""
            self._decode(None)
            return
        pending = self._held + chunk
        cut = self._safe_end(pending)
        self._held = pending[cut:]
        self._decode(pending[:cut])

    def _safe_end(self, pending: bytes) -> int:
        # werkzeug 3.1's decoder emits a delimiter's leading CR as part data when its buffer
        # ends after a whole "--boundary" but before the line break or "--" that follows, so
        # a trailing line break that may start a delimiter is held back until it has ended.
        last = max(pending.rfind(b"\n"), pending.rfind(b"\r"))
        if last == -1:
            return len(pending)
        tail = pending[last + 1 :]
        if not (self._delimiter.startswith(tail) or tail.startswith(self._delimiter)):
            return len(pending)
        return last - 1 if last > 0 and pending[last - 1 : last + 1] == b"\r\n" else last

    def _decode(self, data: bytes | None) -> None:
        if data == b"":
            return
        self._decoder.receive_data(data)
        while True:
            event = self._next_event()
            if isinstance(event, NeedData):
                return
            if isinstance(event, Epilogue):
                return
            if isinstance(event, Field | File):
                self._started += 1
                self._open = _checked(self._started, event)
            elif isinstance(event, Data) and self._open is not None:
                self._open.data.extend(event.data)
                if not event.more_data:
                    part, self._open = self._open, None
                    self.parts.append(
                        FormPart(
                            part.index,
                            part.name,
                            part.filename,
                            part.content_type,
                            bytes(part.data),
                        )
                    )

    def _next_event(self) -> object:
        try:
            return self._decoder.next_event()
        except UnicodeDecodeError:
            number = self._started + 1
            raise MalformedMultipart(
                f"part {number} has headers that are not valid UTF-8 "
                "(filenames must be sent as UTF-8)",
                part=number,
            ) from None
        except ValueError:
            raise self._framing_error() from None

    def _framing_error(self) -> MalformedMultipart:
        number = self._started + 1
        state = self._decoder.state
        if not self._decoder.complete:
            # The only refusal werkzeug makes before the body has ended.
            return MalformedMultipart(
                f"part {number} has no Content-Disposition header",
                part=number,
                header="Content-Disposition",
            )
        if state is State.PREAMBLE:
            return MalformedMultipart(
                "the body contains no part that starts with the boundary given in Content-Type"
            )
        if state is State.PART:
            return MalformedMultipart(
                f"the body ends inside the headers of part {number}", part=number
            )
        return MalformedMultipart(
            f"the body ends inside part {self._started}: its closing boundary is missing",
            part=self._started,
        )


def _checked(index: int, event: Field | File) -> _OpenPart:
    """The part's name and filename from headers that must all be well formed."""
    headers: Headers = event.headers
    try:
        disposition = parse_content_disposition(headers.get("content-disposition", ""))
    except DispositionError as exc:
        raise MalformedMultipart(
            f"part {index} has a malformed Content-Disposition header: {exc.reason}",
            part=index,
            header="Content-Disposition",
        ) from None
    for name, _ in headers.items():
        if not _HEADER_NAME.fullmatch(name):
            raise MalformedMultipart(
                f"part {index} has a malformed header line {name[:40]!r} "
                "(a raw line break inside a header value?)",
                part=index,
            )
    return _OpenPart(index, disposition.name, disposition.filename, headers.get("content-type"))


async def read_form_parts(
    chunks: AsyncIterable[bytes], boundary: str, *, max_parts: int | None = None
) -> list[FormPart]:
    """Every part of a streamed body, in order; MalformedMultipart names the first fault."""
    decoder = FormPartsDecoder(boundary, max_parts=max_parts)
    async for chunk in chunks:
        decoder.feed(chunk)
    decoder.feed(None)
    return decoder.parts


def parse_form_parts(body: bytes, boundary: str, *, max_parts: int | None = None) -> list[FormPart]:
    """Every part of a body held in memory (see read_form_parts)."""
    decoder = FormPartsDecoder(boundary, max_parts=max_parts)
    decoder.feed(body)
    decoder.feed(None)
    return decoder.parts
