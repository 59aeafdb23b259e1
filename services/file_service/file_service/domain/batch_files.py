"""Use cases on a batch's recorded files: remove one, list them."""

from __future__ import annotations

from common_core.notifications import NotificationCode
from file_service.domain.bus_names import file_label
from file_service.domain.ports import BatchAccess, BatchNotFound, FileRecord, UnitOfWork
from file_service.domain.upload_events import EventFactory


class FileNotFoundInBatch(Exception):
    """No such file in the batch (or it was already removed)."""


class RemoveFile:
    """Take a file out of a batch that has not started processing."""

    def __init__(self, *, batch_access: BatchAccess, uow: UnitOfWork, source_service: str) -> None:
        self._batch_access = batch_access
        self._uow = uow
        self._source = source_service

    async def execute(
        self, batch_id: str, user_id: str, file_upload_id: str, correlation_id: str
    ) -> FileRecord:
        """The removed file; FileNotFoundInBatch when it is not (or no longer) there."""
        await self._batch_access.check(batch_id, user_id)
        events = EventFactory(self._source, correlation_id)
        async with self._uow as uow:
            await uow.files.lock_batch(batch_id)
            record = await uow.files.get_active(batch_id, file_upload_id)
            if record is None or record.user_id != user_id:
                raise FileNotFoundInBatch(file_upload_id)
            await uow.files.mark_removed(file_upload_id)
            label = file_label(file_upload_id, record.original_file_name)
            await uow.add_events(
                [
                    events.removed(record),
                    events.notification(
                        user_id,
                        batch_id,
                        NotificationCode.FILE_REMOVED,
                        {"file_name": label},
                        {"file_upload_id": file_upload_id, "filename": label},
                    ),
                ]
            )
            await uow.commit()
        return record


class ListFiles:
    """The files currently in a batch."""

    def __init__(self, *, batch_access: BatchAccess, uow: UnitOfWork) -> None:
        self._batch_access = batch_access
        self._uow = uow

    async def execute(self, batch_id: str, user_id: str) -> list[FileRecord]:
        """Only the owner sees them, in any batch state; others get BatchNotFound."""
        await self._batch_access.check_owner(batch_id, user_id)
        async with self._uow as uow:
            records = await uow.files.list_active(batch_id)
        if any(r.user_id != user_id for r in records):
            raise BatchNotFound(batch_id)
        return records
