"""The essay files out of an upload's multipart body, read strictly.

Quart's own form parser drops a part whose headers it cannot read (and any error makes it return
an empty form), so a malformed body used to look like a body "with no files". The shared strict
reader names the part and the fault instead, answered as 400 INVALID_REQUEST.
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote

from quart import current_app, request
from werkzeug.exceptions import RequestTimeout

from common_core.errors import ErrorCode
from file_service.domain.upload_results import IncomingFile
from huleedu_service_libs.errors import HuleEduError, invalid_request, validation_error
from huleedu_service_libs.http import MalformedMultipart, read_form_parts

FILES_FIELD = "files"


def client_filename(raw: str | None) -> str:
    """The name the teacher's file had; percent-encoded names (some clients) are decoded."""
    name = raw or ""
    if "%" in name:
        try:
            decoded = unquote(name, errors="strict")
        except UnicodeDecodeError:
            return name
        return decoded
    return name


def multipart_boundary() -> str:
    """The body's boundary; 415 for anything but multipart/form-data (known from headers)."""
    if request.mimetype != "multipart/form-data":
        raise HuleEduError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            f"Upload files as multipart/form-data in the field '{FILES_FIELD}'.",
            details={"content_type": request.mimetype},
        )
    boundary = request.mimetype_params.get("boundary", "")
    if not boundary:
        raise invalid_request(
            "The Content-Type header has no boundary.", details={"header": "Content-Type"}
        )
    return boundary


async def read_essay_files(boundary: str) -> list[IncomingFile]:
    """The `files` parts of the body; 400 naming the fault of a malformed body."""
    try:
        parts = await asyncio.wait_for(
            read_form_parts(
                request.body, boundary, max_parts=current_app.config.get("MAX_FORM_PARTS")
            ),
            timeout=request.body_timeout,
        )
    except MalformedMultipart as exc:
        raise invalid_request(
            f"The upload body is malformed: {exc.message}.", details=exc.details
        ) from None
    except TimeoutError:
        raise RequestTimeout() from None
    files = [
        IncomingFile(client_filename(part.filename), part.data)
        for part in parts
        if part.name == FILES_FIELD
    ]
    if not files:
        found = sorted({part.name for part in parts})
        raise validation_error(
            f"The upload contains no files: send each essay as a part named '{FILES_FIELD}'"
            + (
                f" (the body has parts named {', '.join(repr(n) for n in found)})."
                if found
                else "."
            ),
            details={"field": FILES_FIELD, "found_fields": found},
        )
    return files
