"""Records and ports of essay-author matching; adapters implement them, unit tests fake them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from class_management_service.domain.models import SchoolClass, Student
from common_core.enums import AssociationMethod, AssociationStatus, CourseCode
from huleedu_service_libs.consumer import Clock as Clock
from huleedu_service_libs.consumer import Outgoing as Outgoing
from huleedu_service_libs.consumer import UnitOfWork as ConsumerUnitOfWork


class ClassBatchStatus(StrEnum):
    """Where a class batch is in author matching."""

    AWAITING_CONTENT = "awaiting_content"  # essays not all in yet
    PENDING_VALIDATION = "pending_validation"  # suggestions out, the teacher is asked
    CONFIRMED = "confirmed"  # every essay has an author; the batch may proceed
    # Registered for a class that does not exist (or is not the teacher's): confirmed with
    # no authors as soon as the essays are ready, so the batch never hangs.
    CLASS_MISSING = "class_missing"


@dataclass(frozen=True, slots=True)
class ClassBatch:
    """A batch registered for a class."""

    batch_id: str
    class_id: str
    user_id: str
    course_code: CourseCode
    status: ClassBatchStatus = ClassBatchStatus.AWAITING_CONTENT
    ready_at: datetime | None = None
    suggested_at: datetime | None = None
    confirmed_at: datetime | None = None
    confirmed_by_timeout: bool = False


@dataclass(frozen=True, slots=True)
class Association:
    """One essay (or, before readiness, one uploaded file) of a class batch and its author.

    `parsed_name` and `parsed_email` are plaintext here; the repository stores them encrypted.
    `student_id` is the decided author, or while pending the suggested one.
    """

    batch_id: str
    file_upload_id: str
    method: AssociationMethod = AssociationMethod.NAME_MATCH
    status: AssociationStatus = AssociationStatus.PENDING_VALIDATION
    essay_id: str | None = None
    text_storage_id: str | None = None
    filename: str | None = None
    parsed_name: str | None = None
    parsed_email: str | None = None
    extraction_confidence: float = 0.0
    suggested_student_id: str | None = None
    student_id: str | None = None
    confidence: float = 0.0
    decided_by: str | None = None
    updated_at: datetime | None = None

    @property
    def is_pending(self) -> bool:
        """Still waiting for a decision (also a decided author since erased: NULL student)."""
        return self.status is AssociationStatus.PENDING_VALIDATION or self.student_id is None


class ClassBatchRepository(Protocol):
    """The `class_batches` rows."""

    async def add(self, batch: ClassBatch) -> bool:
        """Insert the batch unless it exists; True if inserted."""
        ...

    async def get(self, batch_id: str) -> ClassBatch | None:
        """One batch, unlocked."""
        ...

    async def lock(self, batch_id: str) -> ClassBatch | None:
        """The batch, row-locked until commit (every change of one batch goes through this)."""
        ...

    async def save(self, batch: ClassBatch) -> None:
        """Write the batch's status and timestamps."""
        ...

    async def due_for_timeout(self, suggested_before: datetime, limit: int) -> list[str]:
        """Ids of pending batches whose suggestions went out before the cutoff, oldest first."""
        ...

    async def lock_if_due(self, batch_id: str, suggested_before: datetime) -> ClassBatch | None:
        """The batch locked if still pending and due; None if not, or if another holds it."""
        ...

    async def oldest_pending_since(self) -> datetime | None:
        """When the suggestions of the longest-pending batch went out; None if none pending."""
        ...


class AssociationRepository(Protocol):
    """The `essay_student_associations` rows (parsed header fields encrypted at rest)."""

    async def list_for_batch(self, batch_id: str) -> list[Association]:
        """Every row of the batch, decrypted, in essay then upload order."""
        ...

    async def save_many(self, rows: Sequence[Association]) -> None:
        """Insert or replace rows by (batch_id, file_upload_id)."""
        ...


class RosterReader(Protocol):
    """What matching reads of the roster (the roster helper's student repository)."""

    async def roster(self, class_id: str, *, include_placeholders: bool = False) -> list[Student]:
        """The class's students, decrypted."""
        ...

    async def get_many(self, user_id: str, student_ids: Sequence[str]) -> list[Student]:
        """The teacher's students among the ids (missing ids are absent)."""
        ...

    async def ensure_unknown_student(self, user_id: str, class_id: str) -> tuple[Student, bool]:
        """The class's UNKNOWN placeholder student, created if missing."""
        ...


class ClassReader(Protocol):
    """What matching reads of classes."""

    async def get(self, user_id: str, class_id: str) -> SchoolClass | None:
        """The teacher's class."""
        ...


class AuditWriter(Protocol):
    """The student audit log."""

    async def record(
        self,
        *,
        actor_user_id: str,
        action: str,
        student_ids: Sequence[str],
        class_id: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        """One audit row in the current transaction."""
        ...


class AssociationUnitOfWork(ConsumerUnitOfWork, Protocol):
    """One transaction over what matching touches, with the inbox and the outbox."""

    @property
    def classes(self) -> ClassReader:
        """The classes, read-only (does the batch's class still exist)."""
        ...

    @property
    def students(self) -> RosterReader:
        """The class rosters, and the UNKNOWN student a timeout may need."""
        ...

    @property
    def audit(self) -> AuditWriter:
        """The audit trail of the transaction."""
        ...

    @property
    def class_batches(self) -> ClassBatchRepository:
        """The class batches, locked per batch."""
        ...

    @property
    def associations(self) -> AssociationRepository:
        """The essay author rows of a batch."""
        ...


AssociationUowFactory = Callable[[], AssociationUnitOfWork]
