"""Batch and essay status for the gateway and other services; the gateway forwards the user."""

from __future__ import annotations

from typing import Any

from dishka import FromDishka
from quart import Blueprint, request

from essay_lifecycle_service.api.errors import domain_errors
from essay_lifecycle_service.domain.models import Essay, HistoryEntry
from essay_lifecycle_service.domain.queries import StatusQueries
from huleedu_service_libs.correlation import USER_ID_HEADER
from huleedu_service_libs.errors import unauthorized

status_bp = Blueprint("status", __name__, url_prefix="/internal/v1")


def _user_id() -> str:
    user_id = request.headers.get(USER_ID_HEADER, "").strip()
    if not user_id:
        raise unauthorized("X-User-ID is required: requests come through the gateway.")
    return user_id


def _essay_json(essay: Essay) -> dict[str, Any]:
    return {
        "essay_id": essay.essay_id,
        "batch_id": essay.batch_id,
        "slot_index": essay.slot_index,
        "status": essay.status.value,
        "file_upload_id": essay.file_upload_id,
        "original_file_name": essay.original_file_name,
        "text_storage_id": essay.text_storage_id,
        "corrected_text_storage_id": essay.corrected_text_storage_id,
        "spellcheck_correction_count": essay.spellcheck_correction_count,
        "spellcheck_word_count": essay.spellcheck_word_count,
        "error_message": essay.error_message,
        "updated_at": essay.updated_at.isoformat() if essay.updated_at else None,
    }


def _entry_json(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "from_status": entry.from_status.value if entry.from_status else None,
        "to_status": entry.to_status.value,
        "event": entry.event,
        "at": entry.at.isoformat(),
    }


@status_bp.get("/batches/<batch_id>/status")
@domain_errors
async def batch_status(batch_id: str, queries: FromDishka[StatusQueries]) -> dict[str, Any]:
    """Counts per essay status, readiness and the batch's essays."""
    view = await queries.batch_status(batch_id, _user_id())
    batch = view.batch
    return {
        "batch_id": batch.batch_id,
        "course_code": batch.course_code.value,
        "expected_essay_count": batch.expected_count,
        "ready": batch.is_ready,
        "is_partial": batch.is_partial,
        "ready_at": batch.ready_at.isoformat() if batch.ready_at else None,
        "readiness_deadline": batch.readiness_deadline.isoformat(),
        "validation_failure_count": view.validation_failure_count,
        "counts": view.counts,
        "essays": [_essay_json(e) for e in view.essays],
    }


@status_bp.get("/essays/<essay_id>")
@domain_errors
async def essay_details(essay_id: str, queries: FromDishka[StatusQueries]) -> dict[str, Any]:
    """One essay's slot, status and results."""
    return _essay_json(await queries.essay(essay_id, _user_id()))


@status_bp.get("/essays/<essay_id>/timeline")
@domain_errors
async def essay_timeline(essay_id: str, queries: FromDishka[StatusQueries]) -> dict[str, Any]:
    """An essay's status changes, oldest first."""
    essay, history = await queries.timeline(essay_id, _user_id())
    return {
        "essay_id": essay.essay_id,
        "status": essay.status.value,
        "timeline": [_entry_json(e) for e in history],
    }
