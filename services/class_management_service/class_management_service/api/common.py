"""What every route reads from the request: the teacher, paging, and how answers are written."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field
from quart import Response, request

from class_management_service.domain.records import Actor
from common_core.enums import EssayErasureMode
from huleedu_service_libs.correlation import USER_ID_HEADER, get_correlation_id, new_correlation_id
from huleedu_service_libs.errors import unauthorized, validation_error

DEFAULT_PAGE_SIZE = 50
# The largest list offset: far beyond any teacher's data, well inside PostgreSQL's bigint
# (a larger one was a 500, found by schemathesis through the gateway).
MAX_OFFSET = 1_000_000


class PageParams(BaseModel):
    """limit/offset of a list route's query string."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class StudentPageParams(PageParams):
    """The student list's query: paging and an optional class filter."""

    class_id: str | None = Field(default=None, min_length=1, max_length=64)


class EraseParams(BaseModel):
    """The erase route's query: what happens to the student's essays (default: deleted)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    essays: EssayErasureMode = EssayErasureMode.DELETE


P = TypeVar("P", bound=PageParams)


def actor() -> Actor:
    """The X-User-ID teacher (set only by the gateway) and the request's correlation id."""
    user_id = request.headers.get(USER_ID_HEADER, "").strip()
    if not user_id:
        raise unauthorized("X-User-ID is required: requests come through the gateway.")
    return Actor(user_id=user_id, correlation_id=get_correlation_id() or new_correlation_id())


def page_params(model: type[P], max_limit: int) -> P:
    """The validated query; a limit above the configured maximum is a 422 naming `limit`."""
    query = request.args.to_dict()
    query.setdefault("limit", str(min(DEFAULT_PAGE_SIZE, max_limit)))
    params = model.model_validate(query)
    if params.limit > max_limit:
        raise validation_error(
            details={
                "errors": [
                    {
                        "loc": ["limit"],
                        "msg": f"Input should be less than or equal to {max_limit}",
                        "type": "less_than_equal",
                    }
                ]
            },
        )
    return params


def json_response(model: BaseModel, status: int = 200) -> Response:
    """The model serialised by pydantic directly (no dict round trip on hot paths)."""
    return Response(model.model_dump_json(), status=status, content_type="application/json")


def no_content() -> Response:
    """204 with an empty body."""
    return Response("", status=204)
