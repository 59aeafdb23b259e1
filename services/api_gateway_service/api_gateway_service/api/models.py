"""Public request and response bodies of the gateway.

Results and files reuse the downstream contracts (common_core.result_api, common_core.file_api).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api_gateway_service.api.params import ID_PATTERN
from common_core.enums import BatchStatus, CourseCode, GrammarCategory, PipelineName
from common_core.limits import MAX_ESSAYS_PER_BATCH


class _Tolerant(BaseModel):
    # Downstream answers may grow fields; the gateway shows the documented ones.
    model_config = ConfigDict(extra="ignore")


class DevTokenRequest(BaseModel):
    """Body of POST /v1/dev/tokens."""

    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=128, description="Becomes the token's sub.")


class DevTokenResponse(BaseModel):
    """A development access token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme name
    expires_in: int = Field(description="Lifetime in seconds.")


class CreateBatchRequest(BaseModel):
    """Body of POST /v1/batches."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    course_code: str = Field(
        min_length=1,
        max_length=16,
        description="One of: " + ", ".join(c.value for c in CourseCode),
        examples=["SV1"],
    )
    essay_instructions: str = Field(min_length=1, max_length=5000)
    expected_essay_count: int = Field(ge=1, le=MAX_ESSAYS_PER_BATCH)
    # The same check as path ids: the class id ends up in BOS's call to Class Management.
    class_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=ID_PATTERN,
        description="A class of yours for the same course (its essays' authors get confirmed).",
    )


class BatchCreatedResponse(_Tolerant):
    """A registered batch: one essay slot per expected essay."""

    batch_id: str
    status: BatchStatus
    essay_ids: list[str]
    course_code: CourseCode
    expected_essay_count: int
    class_id: str | None = None


class PipelineRequest(BaseModel):
    """Body of POST /v1/batches/{batch_id}/pipelines."""

    model_config = ConfigDict(extra="forbid")

    pipeline: PipelineName = Field(
        examples=["spellcheck", "spellcheck+grammar"],
        description="`spellcheck`: spelling only. `spellcheck+grammar`: spelling, then "
        "LanguageTool's grammar and style check of each essay's original text (for the essays "
        "the spellcheck succeeded for).",
    )
    disabled_grammar_categories: list[GrammarCategory] = Field(
        default_factory=list,
        max_length=len(GrammarCategory),
        examples=[["STYLE", "TYPOGRAPHY"]],
        description="LanguageTool rule categories to switch off in the grammar phase: GRAMMAR, "
        "PUNCTUATION, TYPOGRAPHY, STYLE, CASING, CONFUSED_WORDS, COLLOCATIONS, REDUNDANCY, "
        "SEMANTICS, MISC. Empty: every category is checked. Spelling is never part of the "
        "grammar phase. Ignored by a pipeline without the grammar phase.",
    )


class PipelineAccepted(BaseModel):
    """The pipeline request was queued; progress arrives over the WebSocket and results API."""

    batch_id: str
    pipeline: PipelineName
    disabled_grammar_categories: list[GrammarCategory] = Field(
        default_factory=list,
        description="The grammar categories switched off for this request (without duplicates).",
    )
    request_id: str = Field(
        description="The request's id: the same for every retry under its Idempotency-Key."
    )
    idempotency_key: str = Field(
        description="The Idempotency-Key sent, or the one the gateway issued when none was; "
        "retry with it (also in the Idempotency-Key response header)."
    )
    replayed: bool = Field(
        default=False,
        description="True when an earlier request under this key was already accepted: "
        "this answer repeats it and nothing new was queued.",
    )
    correlation_id: str = Field(description="Correlation id of the accepted command.")
