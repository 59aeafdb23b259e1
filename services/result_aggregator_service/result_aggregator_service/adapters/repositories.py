"""The view's rows in PostgreSQL: Core upserts (no ORM), counts computed in the database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    RowMapping,
    Select,
    String,
    and_,
    bindparam,
    func,
    select,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from common_core.enums import BatchStatus, FlagCategory
from result_aggregator_service.adapters.tables import result_batches, result_essays
from result_aggregator_service.adapters.view_rows import (
    batch_from_row,
    batch_row,
    essay_from_row,
    essay_row,
)
from result_aggregator_service.domain.models import (
    FAILED_STATUSES,
    PROCESSED_STATUSES,
    BatchView,
    EssayCounts,
    EssayView,
)


def _category_sums() -> list[ColumnElement[Any]]:
    e = result_essays.c
    # A row written without counts (before 0003) counts as spelling, as view_rows reads it.
    counts = type_coerce(
        func.coalesce(
            e.category_counts,
            func.jsonb_build_object(FlagCategory.SPELLING.value, e.misspelling_count),
        ),
        JSONB,
    )
    return [
        func.coalesce(func.sum(counts[category.value].astext.cast(Integer)), 0).label(
            f"flagged_{category.value}"
        )
        for category in FlagCategory
    ]


def _count_columns() -> list[ColumnElement[Any]]:
    e = result_essays.c
    processed = [s.value for s in PROCESSED_STATUSES]
    failed = [s.value for s in FAILED_STATUSES]
    return [
        func.count().label("total"),
        func.count(e.file_upload_id).label("assigned"),
        func.count().filter(e.status.in_(processed)).label("processed"),
        func.count().filter(e.status.in_(failed)).label("failed"),
        *_category_sums(),
        # Each essay's few-byte map of grammar counts, summed here: LanguageTool's categories
        # are open-ended, so they cannot be one column each like the spelling categories.
        func.jsonb_agg(e.grammar_category_counts, type_=JSONB)
        .filter(e.grammar_category_counts.is_not(None))
        .label("grammar_counts"),
    ]


def _counts(row: RowMapping) -> EssayCounts:
    return EssayCounts(
        total=row["total"] or 0,
        assigned=row["assigned"] or 0,
        processed=row["processed"] or 0,
        failed=row["failed"] or 0,
        category_counts={c.value: row[f"flagged_{c.value}"] or 0 for c in FlagCategory},
        grammar_category_counts=dict(sum(map(Counter, row["grammar_counts"] or []), Counter())),
    )


def _batch_with_essays() -> Select[Any]:
    # Every essay row carries the batch's columns; a batch without essays (or essays whose
    # batch row is not there yet) still reads one row, from the one-row key relation.
    key = select(bindparam("batch_id", type_=String).label("batch_id")).subquery("key")
    b, e = result_batches.c, result_essays.c
    # Not the misspellings nor the grammar matches: the page polling this shows counts, and the
    # stored category counts hold them in a few bytes where the lists take kilobytes.
    essay_columns = [c for c in e if c.name not in ("misspellings", "grammar_matches")]
    return (
        select(
            *(c.label(f"b_{c.name}") for c in b), *(c.label(f"e_{c.name}") for c in essay_columns)
        )
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
        return batch_from_row(row._mapping) if row else None

    async def get_with_essays(self, batch_id: str) -> tuple[BatchView | None, list[EssayView]]:
        """The batch row and its essays (slot order, counts without misspellings): one statement."""
        rows = (await self._session.execute(BATCH_WITH_ESSAYS, {"batch_id": batch_id})).all()
        first = rows[0]._mapping
        batch = (
            batch_from_row(_unprefixed(first, "b_")) if first["b_batch_id"] is not None else None
        )
        essays = [
            essay_from_row(_unprefixed(r._mapping, "e_")) for r in rows if r._mapping["e_essay_id"]
        ]
        return batch, essays

    async def put(self, batch: BatchView) -> None:
        """Insert or replace the row."""
        stmt = insert(result_batches).values(batch_row(batch))
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
        return [(batch_from_row(r._mapping), _counts(r._mapping)) for r in rows], int(total or 0)


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
        return essay_from_row(row._mapping) if row else None

    async def get_many(self, batch_id: str, essay_ids: Sequence[str]) -> dict[str, EssayView]:
        """Essays of a batch by id."""
        if not essay_ids:
            return {}
        e = result_essays.c
        keys = [(batch_id, essay_id) for essay_id in essay_ids]
        rows = await self._session.execute(
            select(result_essays).where(tuple_(e.batch_id, e.essay_id).in_(keys))
        )
        return {r.essay_id: essay_from_row(r._mapping) for r in rows}

    async def put_many(self, essays: Sequence[EssayView]) -> None:
        """Insert or replace rows in one statement."""
        if not essays:
            return
        stmt = insert(result_essays).values([essay_row(essay) for essay in essays])
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
