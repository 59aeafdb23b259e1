"""The events an upload or removal causes, built from domain records (no I/O)."""

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
)
from file_service.domain.ports import FileRecord
from file_service.domain.student_header import ParsedHeader
from file_service.domain.validation import RejectedFile

Keyed = tuple[EventEnvelope[Any], str]


class EventFactory:
    """Wraps payloads in envelopes with this service's name and the request's correlation id."""

    def __init__(self, source_service: str, correlation_id: str) -> None:
        self._source = source_service
        self._correlation_id = correlation_id

    def _wrap(self, data: Any, key: str) -> Keyed:
        return EventEnvelope.wrap(
            data, source_service=self._source, correlation_id=self._correlation_id
        ), key

    def accepted(self, record: FileRecord) -> list[Keyed]:
        """Content provisioned and file added, keyed by batch."""
        return [
            self._wrap(
                EssayContentProvisionedV1(
                    batch_id=record.batch_id,
                    file_upload_id=record.file_upload_id,
                    original_file_name=record.original_file_name,
                    raw_storage_id=record.raw_storage_id,
                    text_storage_id=record.text_storage_id,
                    content_sha256=record.content_sha256,
                    file_size_bytes=record.file_size_bytes,
                    char_count=record.char_count,
                    word_count=record.word_count,
                ),
                record.batch_id,
            ),
            self._wrap(
                BatchFileAddedV1(
                    batch_id=record.batch_id,
                    user_id=record.user_id,
                    file_upload_id=record.file_upload_id,
                    original_file_name=record.original_file_name,
                ),
                record.batch_id,
            ),
        ]

    def rejected(self, batch_id: str, file_upload_id: str, rejected: RejectedFile) -> Keyed:
        """Validation failed, so the batch stops waiting for this file."""
        return self._wrap(
            EssayValidationFailedV1(
                batch_id=batch_id,
                file_upload_id=file_upload_id,
                original_file_name=rejected.filename,
                error_code=rejected.code,
                message=rejected.message,
                file_size_bytes=rejected.file_size_bytes,
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
                original_file_name=record.original_file_name,
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
        """Names and emails found in the accepted essays' first lines."""
        return self._wrap(
            StudentParsingCompletedV1(
                batch_id=batch_id,
                user_id=user_id,
                class_id=class_id,
                parsed_headers=[
                    ParsedStudentHeader(
                        file_upload_id=record.file_upload_id,
                        text_storage_id=record.text_storage_id,
                        student_name=header.student_name,
                        student_email=header.student_email,
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
        notification_type: str,
        message: str,
        payload: dict[str, Any],
        *,
        action_required: bool = False,
    ) -> Keyed:
        """A teacher notification, keyed by the teacher so one socket sees them in order."""
        return self._wrap(
            TeacherNotificationRequestedV1(
                user_id=user_id,
                notification_type=notification_type,
                category=NotificationCategory.FILE_OPERATIONS,
                priority=NotificationPriority.HIGH
                if action_required
                else NotificationPriority.STANDARD,
                batch_id=batch_id,
                message=message,
                payload=payload,
                action_required=action_required,
            ),
            user_id,
        )
