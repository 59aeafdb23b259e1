"""Internal content API: store bytes, fetch them by id. Every route needs the internal key."""

from __future__ import annotations

from dishka import FromDishka
from quart import Blueprint, Response, request

from common_core.errors import ErrorCode
from content_service.domain import (
    ContentNotFound,
    ContentTooLarge,
    EmptyContent,
    FetchContent,
    StoreContent,
)
from huleedu_service_libs.errors import HuleEduError

content_bp = Blueprint("content", __name__, url_prefix="/internal/v1/content")


@content_bp.post("")
async def store_content(use_case: FromDishka[StoreContent]) -> tuple[dict[str, object], int]:
    """Store the request body; 201 when new, 200 when the same bytes were stored before."""
    data = await request.get_data(cache=False, as_text=False, parse_form_data=False)
    try:
        result = await use_case.execute(data, request.headers.get("Content-Type"))
    except EmptyContent:
        raise HuleEduError(ErrorCode.VALIDATION_ERROR, "Content must not be empty.") from None
    except ContentTooLarge:
        raise HuleEduError(ErrorCode.PAYLOAD_TOO_LARGE, "Content exceeds the size limit.") from None
    body: dict[str, object] = {
        "content_id": result.content_id,
        "content_type": result.content_type,
        "size_bytes": result.size_bytes,
    }
    return body, 201 if result.created else 200


@content_bp.get("/<content_id>")
async def fetch_content(content_id: str, use_case: FromDishka[FetchContent]) -> Response:
    """The stored bytes with their content type; immutable, so cacheable forever."""
    try:
        content = await use_case.execute(content_id)
    except ContentNotFound:
        raise HuleEduError(
            ErrorCode.CONTENT_NOT_FOUND,
            "No content with this id.",
            details={"content_id": content_id},
        ) from None
    response = Response(content.data, status=200, content_type=content.content_type)
    response.headers["ETag"] = f'"{content.content_id}"'
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
