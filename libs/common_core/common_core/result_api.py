"""Bodies of the Result Aggregator's internal API, which the gateway serves to teachers.

One definition for both sides: the Result Aggregator builds these from its views and the
gateway uses them as its public response schemas (OpenAPI), so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from common_core.enums import (
    BatchStatus,
    CourseCode,
    EssayStatus,
    FlagCategory,
    Language,
    OperationOutcome,
)
from common_core.events.grammar import GrammarMatch
from common_core.events.spellcheck import Misspelling
from common_core.internal_api import PipelinePhaseState


def _every_category(counts: dict[FlagCategory, int]) -> dict[FlagCategory, int]:
    # Readers index the map without a default: every category is there, in FlagCategory's order.
    return {category: counts.get(category, 0) for category in FlagCategory}


# Flagged words per FlagCategory value: every category the server knows, 0 included, adding
# up to the misspelling count. A map rather than one field per category, so a new category
# (grammar) reaches clients without a new field; they show a category they have no name for
# by its value.
CategoryCounts = Annotated[
    dict[FlagCategory, Annotated[int, Field(ge=0)]], AfterValidator(_every_category)
]
_COUNTS_DOC = "Flagged words per category (every FlagCategory, 0 included)"

# Grammar matches per LanguageTool category id (GRAMMAR, PUNCTUATION, STYLE...): only the
# categories with matches. Open-ended strings, not an enum: LanguageTool files rules under
# categories of its own (per language and version), and clients show an unknown id as it is.
GrammarCategoryCounts = dict[str, Annotated[int, Field(ge=0)]]
_GRAMMAR_COUNTS_DOC = "Grammar matches per LanguageTool category id (categories with matches)"


class _ResultModel(BaseModel):
    # Tolerant reader: a newer Result Aggregator may add fields an older gateway ignores.
    model_config = ConfigDict(extra="ignore")


class EssayResultSummaryV1(_ResultModel):
    """One essay of a batch, as listed in the batch's status."""

    essay_id: str
    status: EssayStatus
    file_upload_id: str | None = None
    filename: str | None = None
    spellcheck_outcome: OperationOutcome | None = None
    misspelling_count: int | None = Field(default=None, ge=0)
    category_counts: CategoryCounts | None = Field(
        default=None, description=f"{_COUNTS_DOC}; null until the essay has a result."
    )
    correction_count: int | None = Field(default=None, ge=0)
    word_count: int | None = Field(default=None, ge=0)
    grammar_outcome: OperationOutcome | None = None
    grammar_match_count: int | None = Field(
        default=None, ge=0, description="Grammar matches; null until the essay has a result."
    )
    grammar_category_counts: GrammarCategoryCounts | None = Field(
        default=None, description=f"{_GRAMMAR_COUNTS_DOC}; null until the essay has a result."
    )
    updated_at: datetime


class RejectedFileV1(_ResultModel):
    """A file of the batch the File Service refused, and why (an ErrorCode value)."""

    file_upload_id: str
    filename: str
    error_code: str
    message: str


class BatchResultV1(_ResultModel):
    """`GET /internal/v1/batches/{batch_id}`: a batch's status and its essays."""

    batch_id: str
    user_id: str
    course_code: CourseCode
    class_id: str | None = None
    essay_instructions: str | None = None
    status: BatchStatus
    expected_essay_count: int = Field(ge=0)
    assigned_essay_count: int = Field(default=0, ge=0)
    processed_essay_count: int = Field(default=0, ge=0)
    failed_essay_count: int = Field(default=0, ge=0)
    # Files refused at upload (empty, corrupt, too short, duplicate...): never an essay slot.
    rejected_file_count: int = Field(default=0, ge=0)
    rejected_files: list[RejectedFileV1] = Field(default_factory=list)
    category_counts: CategoryCounts = Field(
        default_factory=dict,
        validate_default=True,
        description=f"{_COUNTS_DOC}, summed over the batch's essays with a result.",
    )
    grammar_category_counts: GrammarCategoryCounts = Field(
        default_factory=dict,
        description=f"{_GRAMMAR_COUNTS_DOC}, summed over the batch's essays with a result.",
    )
    requested_pipeline: str | None = None
    current_phase: str | None = None
    phases: list[PipelinePhaseState] = Field(default_factory=list)
    essays: list[EssayResultSummaryV1] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None


class BatchSummaryV1(_ResultModel):
    """One row of a teacher's batch list."""

    batch_id: str
    course_code: CourseCode
    class_id: str | None = None
    status: BatchStatus
    expected_essay_count: int = Field(ge=0)
    assigned_essay_count: int = Field(default=0, ge=0)
    processed_essay_count: int = Field(default=0, ge=0)
    failed_essay_count: int = Field(default=0, ge=0)
    rejected_file_count: int = Field(default=0, ge=0)
    category_counts: CategoryCounts = Field(
        default_factory=dict,
        validate_default=True,
        description=f"{_COUNTS_DOC}, summed over the batch's essays with a result.",
    )
    grammar_category_counts: GrammarCategoryCounts = Field(
        default_factory=dict,
        description=f"{_GRAMMAR_COUNTS_DOC}, summed over the batch's essays with a result.",
    )
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None


class BatchListV1(_ResultModel):
    """`GET /internal/v1/batches` (the X-User-ID teacher's): newest first, limit/offset paging."""

    items: list[BatchSummaryV1]
    total: int = Field(ge=0)
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)


class SpellcheckResultV1(_ResultModel):
    """An essay's spell-check result, with the corrected text when it was stored."""

    outcome: OperationOutcome
    language: Language
    misspellings: list[Misspelling] = Field(default_factory=list)
    misspelling_count: int = Field(default=0, ge=0)
    category_counts: CategoryCounts = Field(
        default_factory=dict, validate_default=True, description=f"{_COUNTS_DOC}."
    )
    correction_count: int = Field(default=0, ge=0)
    word_count: int = Field(default=0, ge=0)
    corrected_text_storage_id: str | None = None
    corrected_text: str | None = None
    error_message: str | None = None
    completed_at: datetime


class GrammarResultV1(_ResultModel):
    """An essay's grammar-check result: LanguageTool's matches in the essay as uploaded."""

    outcome: OperationOutcome
    language: Language
    # start/end index the uploaded text (EssayTextV1.text) in code points, like misspellings.
    matches: list[GrammarMatch] = Field(default_factory=list)
    match_count: int = Field(default=0, ge=0)
    category_counts: GrammarCategoryCounts = Field(
        default_factory=dict, description=f"{_GRAMMAR_COUNTS_DOC}."
    )
    error_message: str | None = None
    completed_at: datetime


class EssayResultV1(_ResultModel):
    """`GET /internal/v1/batches/{batch_id}/essays/{essay_id}`: one essay's results."""

    essay_id: str
    batch_id: str
    user_id: str
    status: EssayStatus
    file_upload_id: str | None = None
    filename: str | None = None
    text_storage_id: str | None = None
    spellcheck: SpellcheckResultV1 | None = None
    grammar: GrammarResultV1 | None = None
    updated_at: datetime


class EssayTextV1(_ResultModel):
    """`GET /internal/v1/batches/{batch_id}/essays/{essay_id}/text`: the essay as uploaded.

    The text extracted from the teacher's file, before any correction: the spell-check
    misspellings' and grammar matches' `start`/`end` index it in Unicode code points
    (`text[start:end] == word`).
    """

    essay_id: str
    batch_id: str
    file_upload_id: str | None = None
    filename: str | None = None
    text_storage_id: str
    char_count: int = Field(ge=0)
    text: str
