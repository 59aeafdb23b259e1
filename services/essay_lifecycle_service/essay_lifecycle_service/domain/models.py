"""Plain records the lifecycle logic works on (no framework types)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from common_core.enums import CourseCode, EssayStatus, OperationOutcome, PhaseName, PhaseStatus
from common_core.events import EssayContentProvisionedV1, EssayRef, UploadSummary


@dataclass(frozen=True)
class BatchTracker:
    """What ELS knows of a registered batch and whether it has been announced ready."""

    batch_id: str
    user_id: str
    course_code: CourseCode
    expected_count: int
    readiness_deadline: datetime
    class_id: str | None = None
    ready_at: datetime | None = None
    is_partial: bool = False
    reannounce_pending: bool = False

    @property
    def is_ready(self) -> bool:
        """True once BatchEssaysReadyV1 has been written for the batch."""
        return self.ready_at is not None


@dataclass(frozen=True)
class Essay:
    """One slot of a batch and the content it holds."""

    essay_id: str
    batch_id: str
    slot_index: int
    status: EssayStatus
    file_upload_id: str | None = None
    original_file_name: str | None = None
    text_storage_id: str | None = None
    raw_storage_id: str | None = None
    content_sha256: str | None = None
    corrected_text_storage_id: str | None = None
    spellcheck_correction_count: int | None = None
    spellcheck_word_count: int | None = None
    error_message: str | None = None
    updated_at: datetime | None = None

    @property
    def has_content(self) -> bool:
        """True when provisioned content occupies the slot."""
        return self.text_storage_id is not None

    def ref(self) -> EssayRef:
        """The slot as other services see it."""
        return EssayRef(
            essay_id=self.essay_id,
            text_storage_id=self.text_storage_id or "",
            original_file_name=self.original_file_name or "",
            file_upload_id=self.file_upload_id or "",
        )


@dataclass(frozen=True)
class ProvisionedContent:
    """An accepted file waiting for (or taking) a slot."""

    batch_id: str
    file_upload_id: str
    original_file_name: str
    text_storage_id: str
    raw_storage_id: str
    content_sha256: str

    @classmethod
    def from_event(cls, event: EssayContentProvisionedV1) -> ProvisionedContent:
        """The content an EssayContentProvisionedV1 announces."""
        return cls(
            batch_id=event.batch_id,
            file_upload_id=event.file_upload_id,
            original_file_name=event.original_file_name,
            text_storage_id=event.text_storage_id,
            raw_storage_id=event.raw_storage_id,
            content_sha256=event.content_sha256,
        )


@dataclass(frozen=True)
class FileArrival:
    """One file event of an upload (accepted or rejected), with the upload's counts if known."""

    batch_id: str
    file_upload_id: str
    accepted: bool
    upload: UploadSummary | None = None
    at: datetime | None = None  # when ELS received it (None: the database's clock)


@dataclass(frozen=True)
class UploadProgress:
    """How much of one upload has arrived."""

    upload_id: str
    accepted_count: int
    rejected_count: int
    accepted_received: int
    rejected_received: int


@dataclass(frozen=True)
class HistoryEntry:
    """One status change of an essay, for its timeline."""

    essay_id: str
    batch_id: str
    from_status: EssayStatus | None
    to_status: EssayStatus
    event: str
    at: datetime


@dataclass(frozen=True)
class PhaseEssay:
    """One essay's place in a batch phase; outcome None while it is still running."""

    essay_id: str
    outcome: OperationOutcome | None = None
    output_storage_id: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class PhaseRecord:
    """A batch phase ELS is collecting outcomes for, and when it must have ended."""

    batch_id: str
    phase: PhaseName
    status: PhaseStatus
    started_at: datetime | None = None
    deadline: datetime | None = None

    def is_overdue(self, now: datetime) -> bool:
        """True when the phase is still running at or after its deadline."""
        return (
            self.status is PhaseStatus.IN_PROGRESS
            and self.deadline is not None
            and now >= self.deadline
        )

    @property
    def timeout_seconds(self) -> int:
        """The time the phase was given (deadline minus start), in whole seconds."""
        if self.started_at is None or self.deadline is None:
            return 0
        return int((self.deadline - self.started_at).total_seconds())
