"""Notification codes, locales and the shape of one catalogue message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from string import Formatter


class Locale(StrEnum):
    """The languages notification texts are written in."""

    SV = "sv"
    EN = "en"


DEFAULT_LOCALE = Locale.SV
"""HuleEdu's teachers are Swedish: the language when nobody chose one."""

ParamValue = str | int | float
"""A value a notification text may show (scalars only: lists are joined by the producer)."""

NotificationParams = dict[str, ParamValue]
"""The `params` of a notification: the values its text shows, by name."""

VARIANT = "variant"
"""The parameter that picks one of a code's texts when the code has several."""


class NotificationCode(StrEnum):
    """What a teacher notification is about; the value travels as `notification_type`."""

    # Batches and files (BOS, File Service, ELS)
    BATCH_REGISTERED = "batch_registered"
    FILES_UPLOADED = "files_uploaded"
    FILE_REMOVED = "file_removed"
    BATCH_ESSAYS_READY = "batch_essays_ready"
    BATCH_ESSAYS_PARTIALLY_READY = "batch_essays_partially_ready"
    BATCH_ESSAYS_UPDATED = "batch_essays_updated"
    BATCH_NO_USABLE_ESSAYS = "batch_no_usable_essays"
    DUPLICATE_CONTENT = "duplicate_content"
    EXCESS_CONTENT = "excess_content"
    BATCH_READY = "batch_ready"
    BATCH_AWAITING_STUDENT_VALIDATION = "batch_awaiting_student_validation"
    # Authors (CMS)
    STUDENT_MATCHING_REQUIRED = "student_matching_required"
    STUDENT_ASSOCIATIONS_CONFIRMED = "student_associations_confirmed"
    STUDENT_MATCHING_CLASS_MISSING = "student_matching_class_missing"
    # Processing and results (BOS, ELS, RAS)
    PHASE_STARTED = "phase_started"
    PHASE_TIMED_OUT = "phase_timed_out"
    PHASE_COMPLETED = "phase_completed"
    PIPELINE_COMPLETED = "pipeline_completed"
    PIPELINE_DENIED = "pipeline_denied"
    ESSAY_RESULTS_AVAILABLE = "essay_results_available"
    BATCH_RESULTS_READY = "batch_results_ready"
    # Classes and students (CMS)
    CLASS_CREATED = "class_created"
    CLASS_UPDATED = "class_updated"
    CLASS_DELETED = "class_deleted"
    STUDENT_CREATED = "student_created"
    STUDENT_UPDATED = "student_updated"
    STUDENT_ERASED = "student_erased"
    STUDENT_ENROLLED = "student_enrolled"
    STUDENT_UNENROLLED = "student_unenrolled"
    ROSTER_IMPORTED = "roster_imported"


@dataclass(frozen=True)
class Message:
    """One text in both languages and the named parameters it shows."""

    params: tuple[str, ...]
    sv: str
    en: str

    def text(self, locale: Locale) -> str:
        """The template in `locale`."""
        return self.sv if locale is Locale.SV else self.en


def placeholders(template: str) -> set[str]:
    """The named fields a str.format template uses."""
    return {field for _, field, _, _ in Formatter().parse(template) if field is not None}
