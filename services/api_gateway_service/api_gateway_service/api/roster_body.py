"""A roster CSV out of a teacher's request: the multipart field `file`, or a raw text/csv body.

The CSV is small (see `roster_max_bytes`), so unlike essay uploads it is read whole at the
gateway: the multipart framing must come off before Class Management gets the bare CSV.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from werkzeug.http import parse_options_header

from api_gateway_service.adapters.upload_body import (
    ClientGone,
    ClientTooSlow,
    LimitedBody,
    UploadTooLarge,
)
from api_gateway_service.api.file_routes import too_large, too_slow
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError, invalid_request, validation_error
from huleedu_service_libs.http import MalformedMultipart, parse_form_parts

__all__ = ["ROSTER_FIELD", "RosterBody", "csv_of_multipart", "read_body", "roster_body"]

ROSTER_FIELD = "file"
# What spreadsheet exports and curl send for a CSV file (the same set Class Management takes).
CSV_MEDIA_TYPES = frozenset({"text/csv", "application/csv", "text/plain"})
MULTIPART_MEDIA_TYPE = "multipart/form-data"


@dataclass(frozen=True)
class RosterBody:
    """How the CSV arrives: inside a multipart body (with this boundary) or as the body."""

    boundary: str | None


def roster_body(content_type: str, content_length: str | None, limit: int) -> RosterBody:
    """The kind of body, after refusing what the headers alone can refuse (415, 413)."""
    media_type, options = parse_options_header(content_type)
    media_type = media_type.lower()
    if media_type == MULTIPART_MEDIA_TYPE and options.get("boundary"):
        kind = RosterBody(options["boundary"])
    elif media_type in CSV_MEDIA_TYPES:
        kind = RosterBody(None)
    else:
        raise HuleEduError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            f"Send the roster as multipart/form-data in the field '{ROSTER_FIELD}', "
            "or as a text/csv body.",
            details={"content_type": media_type},
        )
    if content_length is not None:
        if not content_length.strip().isdigit():
            raise invalid_request("Content-Length is not a number.")
        if int(content_length) > limit:
            # Known from the headers: refused before a byte of the body is read.
            raise too_large(limit)
    return kind


async def read_body(chunks: AsyncIterator[bytes], limit: int, timeout_seconds: float) -> bytes:
    """The whole body, read no further than `limit` bytes (413), within the client's budget."""
    body = LimitedBody(chunks, limit, timeout_seconds=timeout_seconds)
    try:
        return b"".join([chunk async for chunk in body])
    except UploadTooLarge:
        raise too_large(limit) from None
    except ClientGone:
        raise invalid_request("The upload ended before its body was complete.") from None
    except ClientTooSlow:
        raise too_slow() from None


def csv_of_multipart(body: bytes, boundary: str) -> bytes:
    """The bytes of the one `file` part, exactly as sent (file or plain form field)."""
    try:
        parts = parse_form_parts(body, boundary)
    except MalformedMultipart as exc:
        raise invalid_request(
            f"The multipart body is malformed: {exc.message}.", details=exc.details
        ) from None
    # Other fields (a browser form's extras) are ignored, not refused.
    files = [part.data for part in parts if part.name == ROSTER_FIELD]
    if len(files) != 1:
        raise validation_error(
            f"Send exactly one roster file in the multipart field '{ROSTER_FIELD}'.",
            details={"field": ROSTER_FIELD, "found": len(files)},
        )
    return files[0]
