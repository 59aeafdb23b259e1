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
from file_service.domain.course_check import find_mixed_courses
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
    ) -> None:
        self._batch_access = batch_access
        self._content = content_store
        self._uow = uow
        self._limits = limits
        self._max_files = max_files
        self._validation_slots = asyncio.Semaphore(max(1, validation_concurrency))
        self._source = source_service

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
        outcomes = _reject_repeats_within_request(outcomes)
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
        stored = await self._store_accepted(batch_id, user_id, outcomes)

        events = EventFactory(self._source, correlation_id)
        async with self._uow as uow:
            await uow.files.lock_batch(batch_id)
            existing = await uow.files.active_hashes(batch_id)
            results: list[FileResult] = []
            keyed: list[Keyed] = []
            headers = []
            for outcome, record in zip(outcomes, stored, strict=True):
                if record is not None and record.content_sha256 in existing:
                    outcome = _duplicate(outcome.filename, record.file_size_bytes)
                    record = None
                if record is None:
                    assert isinstance(outcome, RejectedFile)
                    file_id = str(uuid.uuid4())
                    keyed.append(events.rejected(batch_id, file_id, outcome))
                    results.append(
                        FileResult(outcome.filename, file_id, False, outcome.code, outcome.message)
                    )
                    continue
                assert isinstance(outcome, AcceptedFile)
                existing.add(record.content_sha256)
                keyed.extend(events.accepted(record))
                headers.append(
                    (record, parse_student_header(outcome.text, self._limits.header_lines))
                )
                results.append(
                    FileResult(
                        record.original_file_name, record.file_upload_id, True, record=record
                    )
                )
            accepted = [r.record for r in results if r.record is not None]
            await uow.files.add(accepted)
            if headers:
                keyed.append(events.student_headers(batch_id, user_id, class_id, headers))
            keyed.append(_upload_notification(events, user_id, batch_id, results))
            await uow.add_events(keyed)
            await uow.commit()
        return results

    async def _validate(self, incoming: IncomingFile) -> AcceptedFile | RejectedFile:
        # Parsing is CPU work: run it off the event loop, a bounded number at a time.
        async with self._validation_slots:
            name = sanitize_filename(incoming.filename)
            return await asyncio.to_thread(validate_file, name, incoming.data, self._limits)

    async def _store_accepted(
        self, batch_id: str, user_id: str, outcomes: list[AcceptedFile | RejectedFile]
    ) -> list[FileRecord | None]:
        async def store(outcome: AcceptedFile | RejectedFile) -> FileRecord | None:
            if not isinstance(outcome, AcceptedFile):
                return None
            raw_id, text_id = await asyncio.gather(
                self._content.store(
                    outcome.data,
                    RAW_CONTENT_TYPES.get(outcome.file_type, "application/octet-stream"),
                ),
                self._content.store(outcome.text.encode("utf-8"), TEXT_CONTENT_TYPE),
            )
            return FileRecord(
                file_upload_id=str(uuid.uuid4()),
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
            )

        return list(await asyncio.gather(*(store(o) for o in outcomes)))


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
            await uow.add_events(
                [
                    events.removed(record),
                    events.notification(
                        user_id,
                        batch_id,
                        "file_removed",
                        f"{record.original_file_name} was removed from the batch.",
                        {"file_upload_id": file_upload_id, "filename": record.original_file_name},
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
        """Only the owner sees them; others get BatchNotFound."""
        await self._batch_access.check(batch_id, user_id)
        async with self._uow as uow:
            records = await uow.files.list_active(batch_id)
        if any(r.user_id != user_id for r in records):
            raise BatchNotFound(batch_id)
        return records


class FileNotFoundInBatch(Exception):
    """No such file in the batch (or it was already removed)."""


def _duplicate(filename: str, size: int) -> RejectedFile:
    return RejectedFile(
        filename=filename,
        code=ErrorCode.DUPLICATE_FILE,
        message="An identical file is already in this batch.",
        file_size_bytes=size,
    )


def _reject_repeats_within_request(
    outcomes: list[AcceptedFile | RejectedFile],
) -> list[AcceptedFile | RejectedFile]:
    seen: set[str] = set()
    result: list[AcceptedFile | RejectedFile] = []
    for outcome in outcomes:
        if isinstance(outcome, AcceptedFile):
            if outcome.content_sha256 in seen:
                result.append(_duplicate(outcome.filename, outcome.file_size_bytes))
                continue
            seen.add(outcome.content_sha256)
        result.append(outcome)
    return result


def _upload_notification(
    events: EventFactory, user_id: str, batch_id: str, results: list[FileResult]
) -> Keyed:
    accepted = [r for r in results if r.accepted]
    rejected = [r for r in results if not r.accepted]
    message = f"{len(accepted)} file(s) accepted"
    if rejected:
        message += f", {len(rejected)} rejected"
    return events.notification(
        user_id,
        batch_id,
        "files_uploaded",
        message + ".",
        {
            "accepted": [
                {"file_upload_id": r.file_upload_id, "filename": r.filename} for r in accepted
            ],
            "rejected": [
                {"filename": r.filename, "error_code": str(r.error_code), "message": r.message}
                for r in rejected
            ],
        },
        action_required=bool(rejected),
    )
