"""Events owned by the Essay Lifecycle Service."""

from __future__ import annotations

from pydantic import Field

from common_core.enums import CourseCode, Language, OperationOutcome, PhaseName, PhaseStatus
from common_core.events.base import EssayRef, EventModel


class BatchEssaysReadyV1(EventModel):
    """A batch's slots are filled or accounted for (or the readiness timeout passed)."""

    batch_id: str
    user_id: str
    course_code: CourseCode
    ready_essays: list[EssayRef]
    validation_failure_count: int = Field(default=0, ge=0)
    is_partial: bool = False
    missing_essay_ids: list[str] = Field(default_factory=list)
    # Repeated from the registration so a consumer that sees readiness first (CMS catching up
    # after an outage) still knows the batch is a class batch.
    class_id: str | None = None


class EssaySpellcheckRequestedV1(EventModel):
    """One essay should be spell checked."""

    batch_id: str
    essay_id: str
    text_storage_id: str
    language: Language
    course_code: CourseCode


class EssayGrammarRequestedV1(EventModel):
    """One essay should be grammar checked (its original text, spelling rules off)."""

    batch_id: str
    essay_id: str
    text_storage_id: str
    language: Language
    course_code: CourseCode
    # LanguageTool category ids the teacher switched off for this batch (e.g. "STYLE").
    disabled_categories: list[str] = Field(default_factory=list)


class EssayPhaseOutcome(EventModel):
    """How one essay fared in one phase."""

    essay_id: str
    outcome: OperationOutcome
    output_storage_id: str | None = None
    error_message: str | None = None


class ELSBatchPhaseOutcomeV1(EventModel):
    """Every essay of a batch has an outcome for a phase."""

    batch_id: str
    phase: PhaseName
    phase_status: PhaseStatus
    essay_outcomes: list[EssayPhaseOutcome]


class EssaySlotAssignedV1(EventModel):
    """A provisioned essay took one of the batch's slots."""

    batch_id: str
    essay_id: str
    file_upload_id: str
    text_storage_id: str
    original_file_name: str = ""


class ExcessContentProvisionedV1(EventModel):
    """An essay arrived when every slot of its batch was taken; it was not dropped silently."""

    batch_id: str
    file_upload_id: str
    original_file_name: str
    text_storage_id: str
    reason: str
