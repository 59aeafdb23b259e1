"""The events an upload or removal causes, built from domain records (no I/O).

Nothing here puts personal data on the bus in plaintext: files are called by their label
(bus_names.file_label), and the names and emails read from essay headers, with the real file
names, are sealed under the event PII key for Class Management.
"""

from __future__ import annotations

from typing import Any

from common_core.enums import NotificationCategory, NotificationPriority
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchFileAddedV1,
    BatchFileRemovedV1,
    EssayContentProvisionedV1,
    EssayValidationFailedV1,
    ParsedStudentHeader,
    StudentParsingCompletedV1,
    TeacherNotificationRequestedV1,
    UploadSummary,
)
from common_core.notifications import NotificationCode, NotificationParams, render
from file_service.domain.bus_names import (
    Sealer,
    file_label,
    rejection_labels,
    without_file_names,
)
from file_service.domain.ports import FileRecord
from file_service.domain.student_header import ParsedHeader
from file_service.domain.validation import RejectedFile

Keyed = tuple[EventEnvelope[Any], str]


class EventFactory:
    """Wraps payloads in envelopes with this service's name and the request's correlation id."""

    def __init__(
        self, source_service: str, correlation_id: str, sealer: Sealer | None = None
    ) -> None:
        self._source = source_service
        self._correlation_id = correlation_id
        self._sealer = sealer

    def _seal(self, value: str | None) -> str | None:
        if value is None:
            return None
        if self._sealer is None:
            raise RuntimeError("parsed headers need the event PII key to be sealed")
        return self._sealer.encrypt_text(value)

    def _wrap(self, data: Any, key: str) -> Keyed:
        return EventEnvelope.wrap(
            data, source_service=self._source, correlation_id=self._correlation_id
        ), key

    def accepted(self, record: FileRecord, upload: UploadSummary) -> list[Keyed]:
        """Content provisioned and file added, keyed by batch."""
        return [
            self._wrap(
                EssayContentProvisionedV1(
                    batch_id=record.batch_id,
                    file_upload_id=record.file_upload_id,
                    original_file_name=file_label(record.file_upload_id, record.original_file_name),
                    raw_storage_id=record.raw_storage_id,
                    text_storage_id=record.text_storage_id,
                    content_sha256=record.content_sha256,
                    file_size_bytes=record.file_size_bytes,
                    char_count=record.char_count,
                    word_count=record.word_count,
                    upload=upload,
                ),
                record.batch_id,
            ),
            self._wrap(
                BatchFileAddedV1(
                    batch_id=record.batch_id,
                    user_id=record.user_id,
                    file_upload_id=record.file_upload_id,
                    original_file_name=file_label(record.file_upload_id, record.original_file_name),
                ),
                record.batch_id,
            ),
        ]

    def rejected(
        self, batch_id: str, file_upload_id: str, rejected: RejectedFile, upload: UploadSummary
    ) -> Keyed:
        """Validation failed, so the batch stops waiting for this file."""
        return self._wrap(
            EssayValidationFailedV1(
                batch_id=batch_id,
                file_upload_id=file_upload_id,
                original_file_name=file_label(file_upload_id, rejected.filename),
                error_code=rejected.code,
                message=without_file_names(
                    rejected.message,
                    rejection_labels(file_upload_id, rejected.filename, rejected.details),
                ),
                file_size_bytes=rejected.file_size_bytes,
                upload=upload,
            ),
            batch_id,
        )

    def removed(self, record: FileRecord) -> Keyed:
        """A file left the batch."""
        return self._wrap(
            BatchFileRemovedV1(
                batch_id=record.batch_id,
                user_id=record.user_id,
                file_upload_id=record.file_upload_id,
                original_file_name=file_label(record.file_upload_id, record.original_file_name),
            ),
            record.batch_id,
        )

    def student_headers(
        self,
        batch_id: str,
        user_id: str,
        class_id: str | None,
        headers: list[tuple[FileRecord, ParsedHeader]],
    ) -> Keyed:
        """Names and emails found in the accepted essays' first lines, and the files' names,
        sealed for Class Management."""
        return self._wrap(
            StudentParsingCompletedV1(
                batch_id=batch_id,
                user_id=user_id,
                class_id=class_id,
                parsed_headers=[
                    ParsedStudentHeader(
                        file_upload_id=record.file_upload_id,
                        text_storage_id=record.text_storage_id,
                        student_name_ciphertext=self._seal(header.student_name),
                        student_email_ciphertext=self._seal(header.student_email),
                        original_file_name_ciphertext=self._seal(record.original_file_name),
                        extraction_confidence=header.confidence,
                    )
                    for record, header in headers
                ],
            ),
            batch_id,
        )

    def notification(
        self,
        user_id: str,
        batch_id: str,
        code: NotificationCode,
        params: NotificationParams,
        payload: dict[str, Any],
        *,
        action_required: bool = False,
    ) -> Keyed:
        """A teacher notification, keyed by the teacher so one socket sees them in order."""
        return self._wrap(
            TeacherNotificationRequestedV1(
                user_id=user_id,
                notification_type=code,
                category=NotificationCategory.FILE_OPERATIONS,
                priority=NotificationPriority.HIGH
                if action_required
                else NotificationPriority.STANDARD,
                batch_id=batch_id,
                message=render(code, params),
                params=params,
                payload=payload,
                action_required=action_required,
            ),
            user_id,
        )
