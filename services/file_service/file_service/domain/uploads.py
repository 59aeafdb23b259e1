"""Use cases: upload files into a batch, remove one, list them.

An upload answers only after every accepted file's bytes and text are in the Content Service
and its rows and events are committed together; nothing runs after the response.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog

from common_core.errors import ErrorCode
from common_core.events import UploadSummary
from common_core.notifications import NotificationCode
from file_service.adapters import metrics
from file_service.domain.bus_names import (
    Sealer,
    file_label,
    rejection_labels,
    without_file_names,
)
from file_service.domain.course_check import find_mixed_courses
from file_service.domain.duplicates import DuplicateIndex, reject_copies
from file_service.domain.limits import ValidationLimits
from file_service.domain.ports import (
    BatchAccess,
    BatchNotFound,
    ContentStore,
    FileRecord,
    UnitOfWork,
)
from file_service.domain.student_header import parse_student_header
from file_service.domain.upload_events import EventFactory, Keyed
from file_service.domain.validation import (
    AcceptedFile,
    RejectedFile,
    sanitize_filename,
    validate_file,
)

TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
RAW_CONTENT_TYPES = {
    "txt": "text/plain",
    "md": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "pdf": "application/pdf",
    "rtf": "application/rtf",
}

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class IncomingFile:
    """A file as it arrived in the request."""

    filename: str
    data: bytes


FilesSource = Sequence[IncomingFile] | Callable[[], Awaitable[Sequence[IncomingFile]]]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file of an upload."""

    filename: str
    file_upload_id: str
    accepted: bool
    error_code: ErrorCode | None = None
    message: str | None = None
    record: FileRecord | None = None
    rejection: RejectedFile | None = None


class UploadRejected(Exception):
    """The request as a whole is unusable (no files, too many files)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class UploadFiles:
    """Validate, store and record a set of files for one batch."""

    def __init__(
        self,
        *,
        batch_access: BatchAccess,
        content_store: ContentStore,
        uow: UnitOfWork,
        limits: ValidationLimits,
        max_files: int,
        validation_concurrency: int,
        source_service: str,
        sealer: Sealer,
    ) -> None:
        self._batch_access = batch_access
        self._content = content_store
        self._uow = uow
        self._limits = limits
        self._max_files = max_files
        self._validation_slots = asyncio.Semaphore(max(1, validation_concurrency))
        self._source = source_service
        self._sealer = sealer

    async def execute(
        self, batch_id: str, user_id: str, files_source: FilesSource, correlation_id: str
    ) -> list[FileResult]:
        """Results in the order the files came; request-level problems raise before any work.

        `files_source` may be a loader: the route passes one that reads the request body, so
        a foreign or closed batch is refused before a large upload is even received.
        """
        state = await self._batch_access.check(batch_id, user_id)
        files = await files_source() if callable(files_source) else files_source
        if not files:
            raise UploadRejected(ErrorCode.VALIDATION_ERROR, "The upload contains no files.")
        if len(files) > self._max_files:
            raise UploadRejected(
                ErrorCode.VALIDATION_ERROR,
                f"At most {self._max_files} files can be uploaded at once; got {len(files)}.",
            )
        class_id = state.class_id if state else None
        outcomes = await asyncio.gather(*(self._validate(f) for f in files))
        # Decided before anything is stored: a refused upload leaves no blob, row or event.
        mixed = find_mixed_courses(
            batch_id,
            state.course_code if state else None,
            [(o.filename, o.text) for o in outcomes if isinstance(o, AcceptedFile)],
            self._limits.header_lines,
        )
        if mixed is not None:
            # Filenames often carry the student's name: the log gets counts and codes only.
            logger.warning(
                "file.upload_mixed_courses",
                correlation_id=correlation_id,
                batch_id=batch_id,
                batch_course=mixed.details["batch_course"],
                offending_files=len(mixed.offending),
                named_courses=sorted({str(e.course.code) for e in mixed.offending}),
            )
            raise mixed
        ids = [str(uuid.uuid4()) for _ in outcomes]
        outcomes = await self._reject_duplicates(batch_id, outcomes, ids)
        stored = await self._store_accepted(batch_id, user_id, outcomes, ids)

        events = EventFactory(self._source, correlation_id, self._sealer)
        async with self._uow as uow:
            await uow.files.lock_batch(batch_id)
            # Checked again under the lock: a concurrent upload may have added a copy since.
            existing = DuplicateIndex(await uow.files.list_active(batch_id))
            results: list[FileResult] = []
            headers = []
            for outcome, record in zip(outcomes, stored, strict=True):
                if record is not None and (copy := existing.find_record(record)) is not None:
                    outcome, record = copy.rejection(outcome.filename, record.file_size_bytes), None
                if record is None or not isinstance(outcome, AcceptedFile):
                    rejected = _as_rejected(outcome)
                    results.append(
                        FileResult(
                            rejected.filename,
                            str(uuid.uuid4()),
                            False,
                            rejected.code,
                            rejected.message,
                            rejection=rejected,
                        )
                    )
                    continue
                existing.add(record, in_this_upload=True)
                headers.append(
                    (record, parse_student_header(outcome.text, self._limits.header_lines))
                )
                results.append(
                    FileResult(
                        record.original_file_name, record.file_upload_id, True, record=record
                    )
                )
            accepted = [r.record for r in results if r.record is not None]
            summary = UploadSummary(
                upload_id=str(uuid.uuid4()),
                accepted_count=len(accepted),
                rejected_count=len(results) - len(accepted),
            )
            keyed = _file_events(events, batch_id, results, summary)
            await uow.files.add(accepted)
            if headers:
                keyed.append(events.student_headers(batch_id, user_id, class_id, headers))
            keyed.append(_upload_notification(events, user_id, batch_id, results))
            await uow.add_events(keyed)
            await uow.commit()
        metrics.upload_committed(
            [r.record.file_type for r in results if r.record is not None],
            [r.error_code for r in results if r.record is None and r.error_code is not None],
        )
        return results

    async def _validate(self, incoming: IncomingFile) -> AcceptedFile | RejectedFile:
        # Parsing is CPU work: run it off the event loop, a bounded number at a time.
        async with self._validation_slots:
            name = sanitize_filename(incoming.filename)
            return await asyncio.to_thread(validate_file, name, incoming.data, self._limits)

    async def _reject_duplicates(
        self, batch_id: str, outcomes: list[AcceptedFile | RejectedFile], ids: list[str]
    ) -> list[AcceptedFile | RejectedFile]:
        # Before storing, so a rejected copy leaves no blob behind.
        async with self._uow as uow:
            index = DuplicateIndex(await uow.files.list_active(batch_id))
        return reject_copies(index, outcomes, ids)

    async def _store_accepted(
        self,
        batch_id: str,
        user_id: str,
        outcomes: list[AcceptedFile | RejectedFile],
        ids: list[str],
    ) -> list[FileRecord | None]:
        async def store(
            outcome: AcceptedFile | RejectedFile, file_upload_id: str
        ) -> FileRecord | None:
            if not isinstance(outcome, AcceptedFile):
                return None
            raw_id, text_id = await asyncio.gather(
                self._content.store(
                    outcome.data,
                    RAW_CONTENT_TYPES.get(outcome.file_type, "application/octet-stream"),
                    holder=batch_id,
                ),
                self._content.store(
                    outcome.text.encode("utf-8"), TEXT_CONTENT_TYPE, holder=batch_id
                ),
            )
            return FileRecord(
                file_upload_id=file_upload_id,
                batch_id=batch_id,
                user_id=user_id,
                original_file_name=outcome.filename,
                file_type=str(outcome.file_type),
                content_sha256=outcome.content_sha256,
                file_size_bytes=outcome.file_size_bytes,
                raw_storage_id=raw_id,
                text_storage_id=text_id,
                char_count=outcome.char_count,
                word_count=outcome.word_count,
                text_sha256=outcome.text_sha256,
            )

        return list(
            await asyncio.gather(*(store(o, i) for o, i in zip(outcomes, ids, strict=True)))
        )


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


class FileNotFoundInBatch(Exception):
    """No such file in the batch (or it was already removed)."""


def _as_rejected(outcome: AcceptedFile | RejectedFile) -> RejectedFile:
    if isinstance(outcome, RejectedFile):
        return outcome
    # Validation passed but storing found nothing to record: never silently accepted.
    raise RuntimeError(f"accepted file {outcome.filename!r} has no stored record")


def _file_events(
    events: EventFactory, batch_id: str, results: list[FileResult], summary: UploadSummary
) -> list[Keyed]:
    """Each file's event, every one naming the upload it belongs to and its counts."""
    keyed: list[Keyed] = []
    for result in results:
        if result.record is not None:
            keyed.extend(events.accepted(result.record, summary))
        elif result.rejection is not None:
            keyed.append(
                events.rejected(batch_id, result.file_upload_id, result.rejection, summary)
            )
    return keyed


def _bus_message(result: FileResult) -> str | None:
    if result.message is None or result.rejection is None:
        return result.message
    details = result.rejection.details
    return without_file_names(
        result.message, rejection_labels(result.file_upload_id, result.filename, details)
    )


def _upload_notification(
    events: EventFactory, user_id: str, batch_id: str, results: list[FileResult]
) -> Keyed:
    accepted = [r for r in results if r.accepted]
    rejected = [r for r in results if not r.accepted]
    return events.notification(
        user_id,
        batch_id,
        NotificationCode.FILES_UPLOADED,
        {"accepted_count": len(accepted), "rejected_count": len(rejected)},
        # Labels, not file names: the bus keeps this for its retention (bus_names).
        {
            "accepted": [
                {
                    "file_upload_id": r.file_upload_id,
                    "filename": file_label(r.file_upload_id, r.filename),
                }
                for r in accepted
            ],
            "rejected": [
                {
                    "file_upload_id": r.file_upload_id,
                    "filename": file_label(r.file_upload_id, r.filename),
                    "error_code": str(r.error_code),
                    "message": _bus_message(r),
                }
                for r in rejected
            ],
        },
        action_required=bool(rejected),
    )
