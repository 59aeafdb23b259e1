"""Builders of the events the matching consumer reads, for unit and integration tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from common_core.enums import CourseCode
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    BatchEssaysRegisteredV1,
    EssayRef,
    ParsedStudentHeader,
    StudentParsingCompletedV1,
)
from common_core.events.base import EventModel
from huleedu_service_libs.crypto import KeyRing
from huleedu_testing import random_id

Header = tuple[str, str | None, str | None]  # (file_upload_id, name, email)


def wrap(data: EventModel) -> EventEnvelope[Any]:
    """An envelope from another service with a fresh event id."""
    envelope: EventEnvelope[Any] = EventEnvelope.wrap(
        data, source_service="test", correlation_id=random_id()
    )
    return envelope


def registered(
    batch_id: str,
    user_id: str,
    class_id: str | None,
    essay_count: int = 3,
    course: CourseCode = CourseCode.SV1,
) -> EventEnvelope[Any]:
    """BatchEssaysRegisteredV1 of a (class) batch."""
    return wrap(
        BatchEssaysRegisteredV1(
            batch_id=batch_id,
            user_id=user_id,
            course_code=course,
            essay_instructions="Skriv om din sommar.",
            expected_essay_count=essay_count,
            essay_ids=[f"{batch_id}-slot-{i}" for i in range(essay_count)],
            class_id=class_id,
        )
    )


def parsed(
    batch_id: str,
    user_id: str,
    class_id: str | None,
    headers: Sequence[Header],
    *,
    sealed_with: KeyRing | None = None,
    filenames: Mapping[str, str] | None = None,
) -> EventEnvelope[Any]:
    """StudentParsingCompletedV1 with one header per (upload, name, email).

    `sealed_with`: as the File Service sends it, name, email and file name sealed under the
    event PII key; without it, the plaintext fields of events written before sealing.
    """
    names = filenames or {}

    def header(upload: str, name: str | None, email: str | None) -> ParsedStudentHeader:
        confidence = 1.0 if email else 0.9 if name else 0.0
        filename = names.get(upload)
        if sealed_with is None:
            return ParsedStudentHeader(
                file_upload_id=upload,
                text_storage_id=f"text-{upload}",
                student_name=name,
                student_email=email,
                original_file_name=filename,
                extraction_confidence=confidence,
            )
        seal = sealed_with.encrypt_text
        return ParsedStudentHeader(
            file_upload_id=upload,
            text_storage_id=f"text-{upload}",
            student_name_ciphertext=seal(name) if name else None,
            student_email_ciphertext=seal(email) if email else None,
            original_file_name_ciphertext=seal(filename) if filename else None,
            extraction_confidence=confidence,
        )

    return wrap(
        StudentParsingCompletedV1(
            batch_id=batch_id,
            user_id=user_id,
            class_id=class_id,
            parsed_headers=[header(*h) for h in headers],
        )
    )


def essay_id_for(upload: str) -> str:
    """The essay id the builders give an upload."""
    return f"essay-{upload}"


def ready(
    batch_id: str,
    user_id: str,
    uploads: Sequence[str],
    course: CourseCode = CourseCode.SV1,
    *,
    class_id: str | None = None,
    filenames: Mapping[str, str] | None = None,
) -> EventEnvelope[Any]:
    """BatchEssaysReadyV1, one essay per upload (`essay-<upload>`, file `<upload>.docx`)."""
    names = filenames or {}
    return wrap(
        BatchEssaysReadyV1(
            batch_id=batch_id,
            user_id=user_id,
            course_code=course,
            ready_essays=[
                EssayRef(
                    essay_id=essay_id_for(upload),
                    text_storage_id=f"text-{upload}",
                    original_file_name=names.get(upload, f"{upload}.docx"),
                    file_upload_id=upload,
                )
                for upload in uploads
            ],
            class_id=class_id,
        )
    )
