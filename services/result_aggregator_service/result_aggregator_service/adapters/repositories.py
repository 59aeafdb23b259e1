"""The view's rows in PostgreSQL: Core upserts (no ORM), counts computed in the database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    String,
    and_,
    bindparam,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from common_core.enums import BatchStatus, CourseCode, EssayStatus, Language, OperationOutcome
from result_aggregator_service.adapters.tables import result_batches, result_essays
from result_aggregator_service.domain.models import (
    PROCESSED_STATUSES,
    BatchView,
    EssayCounts,
    EssayView,
    SpellcheckResult,
)


def _batch_row(batch: BatchView) -> dict[str, Any]:
    return {
        "batch_id": batch.batch_id,
        "user_id": batch.user_id,
        "course_code": batch.course_code.value if batch.course_code else None,
        "class_id": batch.class_id,
        "essay_instructions": batch.essay_instructions,
        "expected_essay_count": batch.expected_essay_count,
        "registered": batch.registered,
        "status": batch.status.value,
        "requested_pipeline": batch.requested_pipeline,
        "current_phase": batch.current_phase,
        "phases": batch.phases,
        "rejected_files": batch.rejected_files,
        "created_at": batch.created_at,
        "updated_at": batch.updated_at,
        "completed_at": batch.completed_at,
        "results_notified_at": batch.results_notified_at,
    }


def _batch(row: Mapping[Any, Any]) -> BatchView:
    return BatchView(
        batch_id=row["batch_id"],
        status=BatchStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        user_id=row["user_id"],
        course_code=CourseCode(row["course_code"]) if row["course_code"] else None,
        class_id=row["class_id"],
        essay_instructions=row["essay_instructions"],
        expected_essay_count=row["expected_essay_count"],
        requested_pipeline=row["requested_pipeline"],
        current_phase=row["current_phase"],
        phases=list(row["phases"] or []),
        rejected_files=list(row["rejected_files"] or []),
        registered=row["registered"],
        completed_at=row["completed_at"],
        results_notified_at=row["results_notified_at"],
    )


def _essay_row(essay: EssayView) -> dict[str, Any]:
    result = essay.spellcheck
    return {
        "batch_id": essay.batch_id,
        "essay_id": essay.essay_id,
        "slot_index": essay.slot_index,
        "status": essay.status.value,
        "status_at": essay.status_at,
        "file_upload_id": essay.file_upload_id,
        "filename": essay.filename,
        "text_storage_id": essay.text_storage_id,
        "spellcheck_outcome": result.outcome.value if result else None,
        "spellcheck_language": result.language.value if result else None,
        "misspellings": result.misspellings if result else None,
        "misspelling_count": result.misspelling_count if result else None,
        "correction_count": result.correction_count if result else None,
        "word_count": result.word_count if result else None,
        "corrected_text_storage_id": result.corrected_text_storage_id if result else None,
        "spellcheck_error": result.error_message if result else None,
        "spellcheck_completed_at": result.completed_at if result else None,
        "spellcheck_event_at": result.event_at if result else None,
        "updated_at": essay.updated_at,
    }


def _essay(row: Mapping[Any, Any]) -> EssayView:
    result = None
    if row["spellcheck_outcome"] is not None:
        result = SpellcheckResult(
            outcome=OperationOutcome(row["spellcheck_outcome"]),
            language=Language(row["spellcheck_language"]),
            completed_at=row["spellcheck_completed_at"],
            event_at=row["spellcheck_event_at"],
            misspellings=list(row["misspellings"] or []),
            correction_count=row["correction_count"] or 0,
            word_count=row["word_count"] or 0,
            corrected_text_storage_id=row["corrected_text_storage_id"],
            error_message=row["spellcheck_error"],
        )
    return EssayView(
        batch_id=row["batch_id"],
        essay_id=row["essay_id"],
        status=EssayStatus(row["status"]),
        status_at=row["status_at"],
        updated_at=row["updated_at"],
        slot_index=row["slot_index"],
        file_upload_id=row["file_upload_id"],
        filename=row["filename"],
        text_storage_id=row["text_storage_id"],
        spellcheck=result,
    )


def _count_columns() -> list[ColumnElement[Any]]:
    e = result_essays.c
    processed = [s.value for s in PROCESSED_STATUSES]
    return [
        func.count().label("total"),
        func.count(e.file_upload_id).label("assigned"),
        func.count().filter(e.status.in_(processed)).label("processed"),
        func.count().filter(e.status == EssayStatus.SPELLCHECK_FAILED.value).label("failed"),
    ]


def _counts(row: RowMapping) -> EssayCounts:
    return EssayCounts(
        total=row["total"] or 0,
        assigned=row["assigned"] or 0,
        processed=row["processed"] or 0,
        failed=row["failed"] or 0,
    )


def _batch_with_essays() -> Select[Any]:
    # Every essay row carries the batch's columns; a batch without essays (or essays whose
    # batch row is not there yet) still reads one row, from the one-row key relation.
    key = select(bindparam("batch_id", type_=String).label("batch_id")).subquery("key")
    b, e = result_batches.c, result_essays.c
    return (
        select(*(c.label(f"b_{c.name}") for c in b), *(c.label(f"e_{c.name}") for c in e))
        .select_from(
            key.outerjoin(result_batches, b.batch_id == key.c.batch_id).outerjoin(
                result_essays, e.batch_id == key.c.batch_id
            )
        )
        .order_by(e.slot_index.asc().nulls_last(), e.essay_id)
    )


# Built once: its compiled form is cached and reused by every read.
BATCH_WITH_ESSAYS = _batch_with_essays()


def _unprefixed(row: RowMapping, prefix: str) -> dict[str, Any]:
    return {key[len(prefix) :]: value for key, value in row.items() if key.startswith(prefix)}


class PostgresBatchViews:
    """Batch rows."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, batch_id: str) -> None:
        """A transaction-scoped advisory lock on the batch id (rows may not exist yet)."""
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:batch_id, 0))"),
            {"batch_id": batch_id},
        )

    async def get(self, batch_id: str) -> BatchView | None:
        """One batch row."""
        row = (
            await self._session.execute(
                select(result_batches).where(result_batches.c.batch_id == batch_id)
            )
        ).first()
        return _batch(row._mapping) if row else None

    async def get_with_essays(self, batch_id: str) -> tuple[BatchView | None, list[EssayView]]:
        """The batch row and its essays (slot order) from one statement: one snapshot."""
        rows = (await self._session.execute(BATCH_WITH_ESSAYS, {"batch_id": batch_id})).all()
        first = rows[0]._mapping
        batch = _batch(_unprefixed(first, "b_")) if first["b_batch_id"] is not None else None
        essays = [_essay(_unprefixed(r._mapping, "e_")) for r in rows if r._mapping["e_essay_id"]]
        return batch, essays

    async def put(self, batch: BatchView) -> None:
        """Insert or replace the row."""
        stmt = insert(result_batches).values(_batch_row(batch))
        columns = {c.name: stmt.excluded[c.name] for c in result_batches.c if c.name != "batch_id"}
        await self._session.execute(
            stmt.on_conflict_do_update(index_elements=["batch_id"], set_=columns)
        )

    async def list_for_user(
        self, user_id: str, status: BatchStatus | None, limit: int, offset: int
    ) -> tuple[list[tuple[BatchView, EssayCounts]], int]:
        """The teacher's servable batches, newest first, with counts; and their total."""
        b = result_batches.c
        where = and_(
            b.user_id == user_id,
            b.course_code.is_not(None),
            b.expected_essay_count.is_not(None),
            *([b.status == status.value] if status is not None else []),
        )
        total = await self._session.scalar(select(func.count()).where(where))
        counts = (
            select(*_count_columns())
            .where(result_essays.c.batch_id == b.batch_id)
            .lateral("counts")
        )
        page = (
            select(result_batches, counts)
            .select_from(result_batches.outerjoin(counts, text("true")))
            .where(where)
            .order_by(b.created_at.desc(), b.batch_id.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = (await self._session.execute(page)).all()
        return [(_batch(r._mapping), _counts(r._mapping)) for r in rows], int(total or 0)


class PostgresEssayViews:
    """Essay rows."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, batch_id: str, essay_id: str) -> EssayView | None:
        """One essay of a batch."""
        e = result_essays.c
        row = (
            await self._session.execute(
                select(result_essays).where(e.batch_id == batch_id, e.essay_id == essay_id)
            )
        ).first()
        return _essay(row._mapping) if row else None

    async def get_many(self, batch_id: str, essay_ids: Sequence[str]) -> dict[str, EssayView]:
        """Essays of a batch by id."""
        if not essay_ids:
            return {}
        e = result_essays.c
        keys = [(batch_id, essay_id) for essay_id in essay_ids]
        rows = await self._session.execute(
            select(result_essays).where(tuple_(e.batch_id, e.essay_id).in_(keys))
        )
        return {r.essay_id: _essay(r._mapping) for r in rows}

    async def put_many(self, essays: Sequence[EssayView]) -> None:
        """Insert or replace rows in one statement."""
        if not essays:
            return
        stmt = insert(result_essays).values([_essay_row(essay) for essay in essays])
        keys = {"batch_id", "essay_id"}
        columns = {c.name: stmt.excluded[c.name] for c in result_essays.c if c.name not in keys}
        await self._session.execute(
            stmt.on_conflict_do_update(index_elements=["batch_id", "essay_id"], set_=columns)
        )

    async def counts(self, batch_id: str) -> EssayCounts:
        """Counts over the batch's essays."""
        row = (
            await self._session.execute(
                select(*_count_columns()).where(result_essays.c.batch_id == batch_id)
            )
        ).one()
        return _counts(row._mapping)
