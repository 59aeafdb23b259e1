"""Shared vocabularies: courses, languages, statuses and pipeline phases."""

from __future__ import annotations

from enum import StrEnum


class CourseCode(StrEnum):
    """Swedish upper-secondary courses the platform supports."""

    ENG5 = "ENG5"
    ENG6 = "ENG6"
    ENG7 = "ENG7"
    SV1 = "SV1"
    SV2 = "SV2"
    SV3 = "SV3"


class Language(StrEnum):
    """Language an essay is written (and spell-checked) in."""

    ENGLISH = "en"
    SWEDISH = "sv"


def language_for_course(course: CourseCode) -> Language:
    """English courses are checked in English, Swedish courses in Swedish."""
    return Language.ENGLISH if course.value.startswith("ENG") else Language.SWEDISH


class BatchStatus(StrEnum):
    """Lifecycle of a batch as the orchestrator sees it."""

    AWAITING_CONTENT = "awaiting_content"
    AWAITING_STUDENT_VALIDATION = "awaiting_student_validation"
    READY_FOR_PIPELINE = "ready_for_pipeline"
    PROCESSING = "processing"
    COMPLETED = "completed"
    COMPLETED_WITH_FAILURES = "completed_with_failures"
    FAILED = "failed"
    CANCELLED = "cancelled"


class EssayStatus(StrEnum):
    """Lifecycle of one essay slot as the essay lifecycle service sees it."""

    AWAITING_CONTENT = "awaiting_content"
    READY_FOR_PROCESSING = "ready_for_processing"
    SPELLCHECK_REQUESTED = "spellcheck_requested"
    SPELLCHECK_SUCCEEDED = "spellcheck_succeeded"
    SPELLCHECK_FAILED = "spellcheck_failed"
    GRAMMAR_REQUESTED = "grammar_requested"
    GRAMMAR_SUCCEEDED = "grammar_succeeded"
    GRAMMAR_FAILED = "grammar_failed"
    VALIDATION_FAILED = "validation_failed"
    COMPLETED = "completed"


class PhaseName(StrEnum):
    """Processing phases a pipeline is made of, in the order they may run."""

    SPELLCHECK = "spellcheck"
    GRAMMAR = "grammar"


class PipelineName(StrEnum):
    """Pipelines a teacher may request; the orchestrator defines each one's phases, in order."""

    SPELLCHECK = "spellcheck"
    SPELLCHECK_GRAMMAR = "spellcheck+grammar"


class GrammarCategory(StrEnum):
    """LanguageTool rule categories a teacher may switch off for a batch's grammar phase.

    The values are LanguageTool's category ids. Spelling (TYPOS) is not among them: the grammar
    phase always runs with LanguageTool's spelling rules off (the spellcheck phase owns those).
    """

    GRAMMAR = "GRAMMAR"  # agreement, verb forms, word order
    PUNCTUATION = "PUNCTUATION"
    TYPOGRAPHY = "TYPOGRAPHY"  # spaces, quotes, dashes
    STYLE = "STYLE"  # wordiness, repetition, register
    CASING = "CASING"  # capital letters
    CONFUSED_WORDS = "CONFUSED_WORDS"  # their/there, än/en
    COLLOCATIONS = "COLLOCATIONS"  # words that do not go together
    REDUNDANCY = "REDUNDANCY"  # saying the same thing twice
    SEMANTICS = "SEMANTICS"  # dates, logic
    MISC = "MISC"  # rules LanguageTool files nowhere else


class FlagCategory(StrEnum):
    """Why a word was flagged; clients name and explain each category in the teacher's language."""

    SPELLING = "spelling"  # not a word the dictionary knows
    COMPOUND = "compound"  # a compound written apart (särskrivning) or joined wrongly
    CAPITALISATION = "capitalisation"  # a proper noun in lower case, a nationality capitalised


class PhaseStatus(StrEnum):
    """Where one phase of one batch's pipeline stands."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    COMPLETED_WITH_FAILURES = "completed_with_failures"
    FAILED = "failed"


class OperationOutcome(StrEnum):
    """Result of one unit of work (an essay in a phase, a file in an upload)."""

    SUCCESS = "success"
    FAILURE = "failure"


class PipelineRequestOutcome(StrEnum):
    """What the Batch Orchestrator did with the first pipeline request under an idempotency key."""

    ACCEPTED = "accepted"  # the pipeline started
    DENIED = "denied"  # refused (not the requester's batch, not ready, already run)


class AssociationStatus(StrEnum):
    """State of an essay-to-student association."""

    PENDING_VALIDATION = "pending_validation"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class AssociationMethod(StrEnum):
    """How an essay-to-student association was decided."""

    EMAIL_MATCH = "email_match"
    NAME_MATCH = "name_match"
    TEACHER = "teacher"
    TIMEOUT = "timeout"
    UNKNOWN_STUDENT = "unknown_student"


class EssayErasureMode(StrEnum):
    """What erasing a student does to their essays, as the teacher chooses."""

    DELETE = "delete"  # essays, texts and results removed everywhere
    KEEP = "keep"  # kept without their author: file names and the student's name scrubbed


class NotificationPriority(StrEnum):
    """How urgently a teacher should see a notification."""

    LOW = "low"
    STANDARD = "standard"
    HIGH = "high"
    CRITICAL = "critical"


class NotificationCategory(StrEnum):
    """Groups notifications for the teacher's view."""

    BATCH_PROGRESS = "batch_progress"
    FILE_OPERATIONS = "file_operations"
    PROCESSING_RESULTS = "processing_results"
    STUDENT_MATCHING = "student_matching"
    CLASS_MANAGEMENT = "class_management"
    SYSTEM_ALERT = "system_alert"
