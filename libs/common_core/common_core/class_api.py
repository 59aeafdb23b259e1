"""Bodies of the Class Management Service's internal API, which the gateway serves to teachers.

One definition for both sides (as with `result_api`): CMS builds these and the gateway uses
them as its public request and response schemas, so the two cannot drift apart. Student
names and emails appear here in plaintext only because the owning teacher asked for them;
CMS stores them encrypted and audits every such read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from common_core.enums import AssociationMethod, AssociationStatus, CourseCode, Language
from common_core.limits import MAX_ESSAYS_PER_BATCH

NAME_MAX = 100
EMAIL_MAX = 254
CLASS_NAME_MAX = 100
# The id form every public path uses (the gateway's path ids): ids in bodies follow it too.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
EntityId = Annotated[str, Field(pattern=ID_PATTERN)]


class _ReadModel(BaseModel):
    # Tolerant reader: a newer CMS may add fields an older gateway ignores.
    model_config = ConfigDict(extra="ignore")


class _WriteModel(BaseModel):
    # Strict writer: a misspelt field is a 422, not silently dropped.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        # NUL and other control characters are never part of a name, an email or an id, and
        # PostgreSQL refuses NUL in text: refuse them here as a 422, never a server error.
        if isinstance(value, str) and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ValueError("must not contain control characters")
        return value


# --- courses -------------------------------------------------------------------------------


class CourseV1(_ReadModel):
    """One course a class can be for (reference data seeded by a migration)."""

    course_code: CourseCode
    name: str
    language: Language
    level: int = Field(ge=1)


class CourseListV1(_ReadModel):
    """`GET /internal/v1/courses`."""

    items: list[CourseV1]


# --- classes -------------------------------------------------------------------------------


class ClassCreateV1(_WriteModel):
    """`POST /internal/v1/classes`: a new class for the X-User-ID teacher."""

    name: str = Field(min_length=1, max_length=CLASS_NAME_MAX)
    course_code: str = Field(min_length=1, max_length=16)  # unknown codes -> UNKNOWN_COURSE


class ClassUpdateV1(_WriteModel):
    """`PATCH /internal/v1/classes/{class_id}`: only the fields given change."""

    name: str | None = Field(default=None, min_length=1, max_length=CLASS_NAME_MAX)
    course_code: str | None = Field(default=None, min_length=1, max_length=16)


class ClassV1(_ReadModel):
    """A class without its roster (list rows, create and update answers)."""

    class_id: str
    name: str
    course_code: CourseCode
    student_count: int = Field(default=0, ge=0)
    created_at: datetime
    updated_at: datetime


class StudentV1(_ReadModel):
    """A student as the owning teacher sees them."""

    student_id: str
    first_name: str
    last_name: str
    email: str
    class_ids: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


class ClassDetailV1(ClassV1):
    """`GET /internal/v1/classes/{class_id}`: a class with its roster, sorted by last name."""

    students: list[StudentV1] = Field(default_factory=list)


class ClassListV1(_ReadModel):
    """`GET /internal/v1/classes`: the teacher's classes by name, limit/offset paging."""

    items: list[ClassV1]
    total: int = Field(ge=0)
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)


# --- students ------------------------------------------------------------------------------


class StudentCreateV1(_WriteModel):
    """`POST /internal/v1/students`: a new student, optionally placed in classes at once."""

    first_name: str = Field(min_length=1, max_length=NAME_MAX)
    last_name: str = Field(min_length=1, max_length=NAME_MAX)
    email: str = Field(min_length=3, max_length=EMAIL_MAX)  # validated and normalised by CMS
    class_ids: list[EntityId] = Field(default_factory=list, max_length=50)


class StudentUpdateV1(_WriteModel):
    """`PATCH /internal/v1/students/{student_id}`: only the fields given change."""

    first_name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    last_name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    email: str | None = Field(default=None, min_length=3, max_length=EMAIL_MAX)


class StudentListV1(_ReadModel):
    """`GET /internal/v1/students[?class_id=]`: the teacher's students, limit/offset paging."""

    items: list[StudentV1]
    total: int = Field(ge=0)
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)


class RosterImportRowErrorV1(_ReadModel):
    """Why one CSV row was refused (rows count from 1 = the first data row after the header)."""

    row: int = Field(ge=1)
    field: str | None = None
    message: str


class RosterImportResultV1(_ReadModel):
    """`POST /internal/v1/classes/{class_id}/roster` (text/csv body): all rows were applied.

    A refused import answers 422 VALIDATION_ERROR whose `details.rows` lists
    `RosterImportRowErrorV1` objects, and nothing is written.
    """

    class_id: str
    created_count: int = Field(ge=0)
    existing_count: int = Field(ge=0)  # already the teacher's students (same email): enrolled
    students: list[StudentV1]


class AuditRecordV1(_ReadModel):
    """One audited read or write of student data."""

    action: str
    actor_user_id: str
    occurred_at: datetime
    correlation_id: str | None = None
    class_id: str | None = None


class StudentExportV1(_ReadModel):
    """`GET /internal/v1/students/{student_id}/export`: everything stored about a student."""

    student: StudentV1
    classes: list[ClassV1]
    associations: list[EssayAssociationV1]
    audit: list[AuditRecordV1]
    exported_at: datetime


# --- essay-student associations -------------------------------------------------------------


class EssayAssociationV1(_ReadModel):
    """Who wrote one essay of a class batch: the suggestion and, once decided, the answer."""

    batch_id: str
    essay_id: str
    file_upload_id: str | None = None
    filename: str | None = None
    parsed_name: str | None = None  # what the essay's header said
    parsed_email: str | None = None
    suggested_student_id: str | None = None
    student_id: str | None = None  # the decided (or still suggested) author
    student_name: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    method: AssociationMethod
    status: AssociationStatus
    updated_at: datetime


class BatchAssociationsV1(_ReadModel):
    """`GET /internal/v1/batches/{batch_id}/associations`."""

    batch_id: str
    class_id: str
    # awaiting_content: essays not all in yet; pending_validation: the teacher is asked;
    # confirmed: every essay has an author and the batch may run pipelines.
    status: str
    associations: list[EssayAssociationV1]
    suggested_at: datetime | None = None
    confirmed_at: datetime | None = None
    confirmed_by_timeout: bool = False


class AssociationConfirmationV1(_WriteModel):
    """One essay's author as the teacher decided it."""

    essay_id: EntityId
    student_id: EntityId


class AssociationsConfirmV1(_WriteModel):
    """`POST /internal/v1/batches/{batch_id}/associations/confirm`.

    `confirmations` set (or correct) the listed essays' authors. `accept_suggestions` also
    confirms every other pending essay that has a suggested student. Essays left pending
    stay pending; the batch proceeds once none is.
    """

    # One per essay at most, so never more than a batch holds.
    confirmations: list[AssociationConfirmationV1] = Field(
        default_factory=list, max_length=MAX_ESSAYS_PER_BATCH
    )
    accept_suggestions: bool = False


StudentExportV1.model_rebuild()
