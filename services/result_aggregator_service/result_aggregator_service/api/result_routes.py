"""The teacher's results for the gateway: batches, one essay, its text (X-User-ID required)."""

from __future__ import annotations

from typing import Any, Literal

from dishka import FromDishka
from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint, request

from common_core.enums import BatchStatus
from huleedu_service_libs.correlation import USER_ID_HEADER
from huleedu_service_libs.errors import unauthorized
from result_aggregator_service.api.errors import domain_errors
from result_aggregator_service.domain.essay_texts import EssayTexts
from result_aggregator_service.domain.queries import ResultQueries

results_bp = Blueprint("results", __name__, url_prefix="/internal/v1/batches")


class ListParams(BaseModel):
    """Query of GET /internal/v1/batches."""

    model_config = ConfigDict(extra="forbid")

    status: BatchStatus | None = None
    limit: int = Field(default=20, ge=1, le=100)
    # Bounded: a larger offset overflows PostgreSQL's bigint (a 500 instead of a 422).
    offset: int = Field(default=0, ge=0, le=1_000_000)


class EssayParams(BaseModel):
    """Query of GET /internal/v1/batches/{batch_id}/essays/{essay_id}."""

    model_config = ConfigDict(extra="forbid")

    include_text: Literal["true", "false"] = "true"


def _user_id() -> str:
    user_id = request.headers.get(USER_ID_HEADER, "").strip()
    if not user_id:
        raise unauthorized("X-User-ID is required: requests come through the gateway.")
    return user_id


@results_bp.get("")
@domain_errors
async def list_batches(queries: FromDishka[ResultQueries]) -> dict[str, Any]:
    """The teacher's batches, newest first (status filter, limit/offset paging)."""
    user_id = _user_id()
    params = ListParams.model_validate(request.args.to_dict())
    listed = await queries.batches(user_id, params.status, params.limit, params.offset)
    return listed.model_dump(mode="json")


@results_bp.get("/<batch_id>")
@domain_errors
async def get_batch(batch_id: str, queries: FromDishka[ResultQueries]) -> dict[str, Any]:
    """The teacher's batch with its essays (BatchResultV1); another teacher's is a 404."""
    result = await queries.batch(batch_id, _user_id())
    return result.model_dump(mode="json")


@results_bp.get("/<batch_id>/essays/<essay_id>")
@domain_errors
async def get_essay(
    batch_id: str, essay_id: str, queries: FromDishka[ResultQueries]
) -> dict[str, Any]:
    """One essay's results (EssayResultV1), with the corrected text unless include_text=false."""
    user_id = _user_id()
    params = EssayParams.model_validate(request.args.to_dict())
    result = await queries.essay(
        batch_id, essay_id, user_id, include_text=params.include_text == "true"
    )
    return result.model_dump(mode="json")


@results_bp.get("/<batch_id>/essays/<essay_id>/text")
@domain_errors
async def get_essay_text(
    batch_id: str, essay_id: str, texts: FromDishka[EssayTexts]
) -> dict[str, Any]:
    """The essay's original text (EssayTextV1): what its misspelling offsets index."""
    result = await texts.original(batch_id, essay_id, _user_id())
    return result.model_dump(mode="json")
