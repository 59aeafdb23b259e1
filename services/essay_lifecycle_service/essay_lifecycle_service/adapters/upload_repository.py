"""PostgreSQL UploadRepository: what has arrived of each upload, bound to one session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from essay_lifecycle_service.adapters.tables import batch_uploads, received_files, removed_files
from essay_lifecycle_service.domain.models import FileArrival, UploadProgress


class PostgresUploadRepository:
    """Uploads' counts, the file events received of them, and removed files."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record_arrival(self, arrival: FileArrival) -> bool:
        """Note a file event (and its upload's counts) once; False if it was already noted."""
        return arrival.file_upload_id in await self.record_arrivals([arrival])

    async def record_arrivals(self, arrivals: Sequence[FileArrival]) -> set[str]:
        """Note file events (and their uploads' counts) once each; the file ids noted now.

        Rows go in sorted by key, so concurrent runs wait on each other's rows in one order.
        """
        uploads = {
            (a.batch_id, a.upload.upload_id): a.upload for a in arrivals if a.upload is not None
        }
        if uploads:
            await self._session.execute(
                insert(batch_uploads)
                .values(
                    [
                        {
                            "batch_id": batch_id,
                            "upload_id": upload_id,
                            "accepted_count": u.accepted_count,
                            "rejected_count": u.rejected_count,
                        }
                        for (batch_id, upload_id), u in sorted(uploads.items())
                    ]
                )
                .on_conflict_do_nothing()
            )
        files = {(a.batch_id, a.file_upload_id): a for a in reversed(arrivals)}
        if not files:
            return set()
        stmt = (
            insert(received_files)
            .values([_received(a) for _, a in sorted(files.items())])
            .on_conflict_do_nothing()
            .returning(received_files.c.file_upload_id)
        )
        return set((await self._session.execute(stmt)).scalars())

    async def accepted_in_flight(self, batch_id: str) -> int:
        """Accepted essays of uploads seen so far whose events have not arrived yet."""
        expected = select(func.coalesce(func.sum(batch_uploads.c.accepted_count), 0)).where(
            batch_uploads.c.batch_id == batch_id
        )
        arrived = select(func.count()).where(
            received_files.c.batch_id == batch_id,
            received_files.c.accepted.is_(True),
            received_files.c.upload_id.is_not(None),
        )
        owed = int(await self._session.scalar(expected) or 0)
        return max(0, owed - int(await self._session.scalar(arrived) or 0))

    async def complete_uploads(self, batch_id: str) -> list[UploadProgress]:
        """Mark uploads whose every file has arrived as complete; those just completed."""
        accepted = func.count().filter(received_files.c.accepted.is_(True))
        rejected = func.count().filter(received_files.c.accepted.is_(False))
        arrived = (
            select(
                received_files.c.upload_id,
                accepted.label("accepted_received"),
                rejected.label("rejected_received"),
            )
            .where(received_files.c.batch_id == batch_id, received_files.c.upload_id.is_not(None))
            .group_by(received_files.c.upload_id)
            .subquery()
        )
        stmt = (
            update(batch_uploads)
            .where(
                batch_uploads.c.batch_id == batch_id,
                batch_uploads.c.completed_at.is_(None),
                and_(
                    arrived.c.upload_id == batch_uploads.c.upload_id,
                    arrived.c.accepted_received >= batch_uploads.c.accepted_count,
                    arrived.c.rejected_received >= batch_uploads.c.rejected_count,
                ),
            )
            .values(completed_at=func.now())
            .returning(
                batch_uploads.c.upload_id,
                batch_uploads.c.accepted_count,
                batch_uploads.c.rejected_count,
                arrived.c.accepted_received,
                arrived.c.rejected_received,
            )
        )
        rows = (await self._session.execute(stmt)).all()
        return [
            UploadProgress(
                r.upload_id,
                r.accepted_count,
                r.rejected_count,
                r.accepted_received,
                r.rejected_received,
            )
            for r in sorted(rows, key=lambda r: r.upload_id)
        ]

    async def mark_removed(self, batch_id: str, file_upload_id: str) -> None:
        """Remember a removed file, so its content arriving later takes no slot."""
        await self._session.execute(
            insert(removed_files)
            .values(batch_id=batch_id, file_upload_id=file_upload_id)
            .on_conflict_do_nothing()
        )

    async def removed_among(self, batch_id: str, file_upload_ids: Sequence[str]) -> set[str]:
        """Those of the files the teacher removed."""
        stmt = select(removed_files.c.file_upload_id).where(
            removed_files.c.batch_id == batch_id,
            removed_files.c.file_upload_id.in_(set(file_upload_ids)),
        )
        return set((await self._session.execute(stmt)).scalars())

    async def first_accepted_at(self, batch_id: str) -> datetime | None:
        """When the batch's first accepted file arrived, or None."""
        found: datetime | None = await self._session.scalar(
            select(func.min(received_files.c.received_at)).where(
                received_files.c.batch_id == batch_id, received_files.c.accepted.is_(True)
            )
        )
        return found


def _received(arrival: FileArrival) -> dict[str, Any]:
    return {
        "batch_id": arrival.batch_id,
        "file_upload_id": arrival.file_upload_id,
        "upload_id": arrival.upload.upload_id if arrival.upload else None,
        "accepted": arrival.accepted,
        # None: the database's clock (the column's default).
        "received_at": arrival.at if arrival.at is not None else func.now(),
    }
