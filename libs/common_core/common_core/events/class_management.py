"""Events owned by the Class Management Service (ids only: no student PII on the bus)."""

from __future__ import annotations

from pydantic import Field

from common_core.enums import (
    AssociationMethod,
    AssociationStatus,
    CourseCode,
    EssayErasureMode,
)
from common_core.events.base import EventModel


class ClassCreatedV1(EventModel):
    """A teacher created a class."""

    class_id: str
    user_id: str
    course_code: CourseCode


class ClassUpdatedV1(EventModel):
    """A class's name, course or roster changed."""

    class_id: str
    user_id: str
    course_code: CourseCode
    changed_fields: list[str] = Field(default_factory=list)


class StudentCreatedV1(EventModel):
    """A teacher added a student."""

    student_id: str
    user_id: str
    class_ids: list[str] = Field(default_factory=list)


class StudentUpdatedV1(EventModel):
    """A student's details or class memberships changed."""

    student_id: str
    user_id: str
    class_ids: list[str] = Field(default_factory=list)
    changed_fields: list[str] = Field(default_factory=list)


class AuthorMatchSuggestion(EventModel):
    """The student an essay most likely belongs to."""

    essay_id: str
    student_id: str | None
    confidence: float = Field(ge=0.0, le=1.0)
    method: AssociationMethod


class BatchAuthorMatchesSuggestedV1(EventModel):
    """Suggested essay authors for a class batch, awaiting the teacher's confirmation."""

    batch_id: str
    class_id: str
    user_id: str
    suggestions: list[AuthorMatchSuggestion]


class EssayStudentAssociationUpdatedV1(EventModel):
    """An essay's author was confirmed or corrected."""

    batch_id: str
    class_id: str
    essay_id: str
    student_id: str
    status: AssociationStatus
    method: AssociationMethod
    confidence: float = Field(ge=0.0, le=1.0)


class ConfirmedAssociation(EventModel):
    """A final essay-to-student link."""

    essay_id: str
    student_id: str
    method: AssociationMethod


class StudentAssociationsConfirmedV1(EventModel):
    """Every essay of a class batch has a confirmed author; the batch may proceed."""

    batch_id: str
    class_id: str
    user_id: str
    associations: list[ConfirmedAssociation]
    confirmed_by_timeout: bool = False


class ErasedEssay(EventModel):
    """An essay of an erased student, by the ids Class Management knows it under."""

    batch_id: str
    file_upload_id: str
    essay_id: str | None = None
    text_storage_id: str | None = None


class StudentErasureRequestedV1(EventModel):
    """A teacher erased a student: every service holding a copy of their data removes it.

    `essays` are the essays whose association names the student (decided author, or pending
    suggestion); `essay_mode` is the teacher's choice for them. With `keep`, the File Service
    redacts the kept texts, so the strings that name the student (roster name, email, and the
    names and emails read from the essays' headers) travel along as one Fernet token under the
    event PII key, which only the File Service and Class Management hold; never in plaintext.
    """

    erasure_id: str
    student_id: str
    user_id: str
    essay_mode: EssayErasureMode
    essays: list[ErasedEssay] = Field(default_factory=list)
    redaction_terms_ciphertext: str | None = None
