"""Use case: upload files into a batch.

An upload answers only after every accepted file's bytes and text are in the Content Service
and its rows and events are committed together; nothing runs after the response.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import structlog

from common_core.errors import ErrorCode
from common_core.internal_api import BatchPipelineStateV1
from file_service.domain.bus_names import Sealer
from file_service.domain.course_check import find_mixed_courses
from file_service.domain.duplicates import DuplicateIndex, reject_copies
from file_service.domain.limits import ValidationLimits
from file_service.domain.observations import Recorder, UploadCommitted
from file_service.domain.ports import BatchAccess, ContentStore, FileRecord, UnitOfWork
from file_service.domain.student_header import ParsedHeader, parse_student_header
from file_service.domain.upload_events import EventFactory
from file_service.domain.upload_outbox import upload_events
from file_service.domain.upload_results import (
    FileResult,
    FilesSource,
    IncomingFile,
    UploadRejected,
)
from file_service.domain.upload_storage import store_accepted
from file_service.domain.validation import (
    AcceptedFile,
    RejectedFile,
    sanitize_filename,
    validate_file,
)

logger = structlog.get_logger(__name__)

Outcome = AcceptedFile | RejectedFile


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
        record: Recorder,
    ) -> None:
        self._batch_access = batch_access
        self._content = content_store
        self._uow = uow
        self._limits = limits
        self._max_files = max_files
        self._validation_slots = asyncio.Semaphore(max(1, validation_concurrency))
        self._source = source_service
        self._sealer = sealer
        self._record = record

    async def execute(
        self, batch_id: str, user_id: str, files_source: FilesSource, correlation_id: str
    ) -> list[FileResult]:
        """Results in the order the files came; request-level problems raise before any work.

        `files_source` may be a loader: the route passes one that reads the request body, so
        a foreign or closed batch is refused before a large upload is even received.
        """
        state = await self._batch_access.check(batch_id, user_id)
        files = await self._receive(files_source)
        outcomes: list[Outcome] = list(await asyncio.gather(*(self._validate(f) for f in files)))
        self._refuse_mixed_courses(batch_id, state, outcomes, correlation_id)
        ids = [str(uuid.uuid4()) for _ in outcomes]
        outcomes = await self._reject_duplicates(batch_id, outcomes, ids)
        stored = await store_accepted(self._content, batch_id, user_id, outcomes, ids)
        class_id = state.class_id if state else None
        results = await self._commit(batch_id, user_id, class_id, outcomes, stored, correlation_id)
        self._record([_observed(results)])
        return results

    async def _receive(self, files_source: FilesSource) -> Sequence[IncomingFile]:
        files = await files_source() if callable(files_source) else files_source
        if not files:
            raise UploadRejected(ErrorCode.VALIDATION_ERROR, "The upload contains no files.")
        if len(files) > self._max_files:
            raise UploadRejected(
                ErrorCode.VALIDATION_ERROR,
                f"At most {self._max_files} files can be uploaded at once; got {len(files)}.",
            )
        return files

    async def _validate(self, incoming: IncomingFile) -> Outcome:
        # Parsing is CPU work: run it off the event loop, a bounded number at a time.
        async with self._validation_slots:
            name = sanitize_filename(incoming.filename)
            return await asyncio.to_thread(validate_file, name, incoming.data, self._limits)

    def _refuse_mixed_courses(
        self,
        batch_id: str,
        state: BatchPipelineStateV1 | None,
        outcomes: list[Outcome],
        correlation_id: str,
    ) -> None:
        # Decided before anything is stored: a refused upload leaves no blob, row or event.
        mixed = find_mixed_courses(
            batch_id,
            state.course_code if state else None,
            [(o.filename, o.text) for o in outcomes if isinstance(o, AcceptedFile)],
            self._limits.header_lines,
        )
        if mixed is None:
            return
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

    async def _reject_duplicates(
        self, batch_id: str, outcomes: list[Outcome], ids: list[str]
    ) -> list[Outcome]:
        # Before storing, so a rejected copy leaves no blob behind.
        async with self._uow as uow:
            index = DuplicateIndex(await uow.files.list_active(batch_id))
        return reject_copies(index, outcomes, ids)

    async def _commit(
        self,
        batch_id: str,
        user_id: str,
        class_id: str | None,
        outcomes: list[Outcome],
        stored: list[FileRecord | None],
        correlation_id: str,
    ) -> list[FileResult]:
        events = EventFactory(self._source, correlation_id, self._sealer)
        async with self._uow as uow:
            await uow.files.lock_batch(batch_id)
            # Checked again under the lock: a concurrent upload may have added a copy since.
            existing = DuplicateIndex(await uow.files.list_active(batch_id))
            results, headers = self._settle(existing, outcomes, stored)
            await uow.files.add([r.record for r in results if r.record is not None])
            await uow.add_events(
                upload_events(events, batch_id, user_id, class_id, results, headers)
            )
            await uow.commit()
        return results

    def _settle(
        self,
        existing: DuplicateIndex,
        outcomes: list[Outcome],
        stored: list[FileRecord | None],
    ) -> tuple[list[FileResult], list[tuple[FileRecord, ParsedHeader]]]:
        """Each file's result, and the student headers of the accepted ones."""
        results: list[FileResult] = []
        headers: list[tuple[FileRecord, ParsedHeader]] = []
        for outcome, record in zip(outcomes, stored, strict=True):
            if record is not None and (copy := existing.find_record(record)) is not None:
                outcome, record = copy.rejection(outcome.filename, record.file_size_bytes), None
            if record is None or not isinstance(outcome, AcceptedFile):
                results.append(_rejected_result(_as_rejected(outcome)))
                continue
            existing.add(record, in_this_upload=True)
            headers.append((record, parse_student_header(outcome.text, self._limits.header_lines)))
            results.append(
                FileResult(record.original_file_name, record.file_upload_id, True, record=record)
            )
        return results, headers


def _as_rejected(outcome: Outcome) -> RejectedFile:
    if isinstance(outcome, RejectedFile):
        return outcome
    # Validation passed but storing found nothing to record: never silently accepted.
    raise RuntimeError(f"accepted file {outcome.filename!r} has no stored record")


def _rejected_result(rejected: RejectedFile) -> FileResult:
    return FileResult(
        rejected.filename,
        str(uuid.uuid4()),
        False,
        rejected.code,
        rejected.message,
        rejection=rejected,
    )


def _observed(results: list[FileResult]) -> UploadCommitted:
    return UploadCommitted(
        accepted_types=tuple(r.record.file_type for r in results if r.record is not None),
        rejected_codes=tuple(
            r.error_code for r in results if r.record is None and r.error_code is not None
        ),
    )
