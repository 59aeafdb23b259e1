"""Realistic, valid examples of every registry event, with fresh ids on every call.

Contract tests, Kafka round trips and service tests use these instead of hand-building payloads,
so a new event model without an example here fails the contract test at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar, cast
from uuid import uuid4

from pydantic import BaseModel

from common_core import events as ev
from common_core.enums import (
    AssociationMethod,
    AssociationStatus,
    BatchStatus,
    CourseCode,
    EssayErasureMode,
    Language,
    NotificationCategory,
    NotificationPriority,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
    PipelineName,
    language_for_course,
)
from common_core.errors import ErrorCode
from huleedu_service_libs.crypto import DEV_EVENT_PII_KEY, KeyRing

M = TypeVar("M", bound=BaseModel)

# Students of a made-up class at a Gothenburg upper-secondary school (names exercise å, ä, ö).
STUDENTS: tuple[tuple[str, str], ...] = (
    ("Åsa Öberg", "asa.oberg@elev.hvitfeldtska.se"),
    ("Björn Älvström", "bjorn.alvstrom@elev.hvitfeldtska.se"),
    ("Märta Lindqvist", "marta.lindqvist@elev.hvitfeldtska.se"),
    ("Håkan Jönsson", "hakan.jonsson@elev.hvitfeldtska.se"),
)
ESSAY_TEXT = (
    "Åsa Öberg, SV2\n\nSkärgårdens tystnad\n\n"
    "När jag var liten tillbringade vi varje sommar på en ö utanför Göteborg. "
    "Där lärde jag mig att höra skillnad på måsarnas skrik och tärnornas."
)
ESSAY_INSTRUCTIONS = (
    "Skriv en reflekterande text (600-900 ord) om en plats som har betytt mycket för dig. "
    "Använd minst två stilgrepp och ge texten en egen rubrik."
)


def _id() -> str:
    return str(uuid4())


def _essay_refs(count: int = 3) -> list[ev.EssayRef]:
    return [
        ev.EssayRef(
            essay_id=_id(),
            text_storage_id=_id(),
            original_file_name=f"{name.replace(' ', '_')}_uppsats.docx",
            file_upload_id=_id(),
        )
        for name, _ in STUDENTS[:count]
    ]


def _batch_essays_registered() -> ev.BatchEssaysRegisteredV1:
    return ev.BatchEssaysRegisteredV1(
        batch_id=_id(),
        user_id=_id(),
        course_code=CourseCode.SV2,
        essay_instructions=ESSAY_INSTRUCTIONS,
        expected_essay_count=4,
        essay_ids=[_id() for _ in range(4)],
        class_id=_id(),
    )


def _essay_content_provisioned() -> ev.EssayContentProvisionedV1:
    return ev.EssayContentProvisionedV1(
        batch_id=_id(),
        file_upload_id=_id(),
        original_file_name="Åsa_Öberg_Skärgårdens_tystnad.docx",
        raw_storage_id=_id(),
        text_storage_id=_id(),
        content_sha256=hashlib.sha256(ESSAY_TEXT.encode("utf-8")).hexdigest(),
        file_size_bytes=18_432,
        char_count=len(ESSAY_TEXT),
        word_count=len(ESSAY_TEXT.split()),
    )


def _essay_validation_failed() -> ev.EssayValidationFailedV1:
    return ev.EssayValidationFailedV1(
        batch_id=_id(),
        file_upload_id=_id(),
        original_file_name="Björn_Älvström_inskannad.pdf",
        error_code=ErrorCode.NO_EXTRACTABLE_TEXT,
        message="Filen innehåller ingen text som kan läsas ut (inskannad bild?).",
        file_size_bytes=2_348_211,
    )


def _batch_file_added() -> ev.BatchFileAddedV1:
    return ev.BatchFileAddedV1(
        batch_id=_id(),
        user_id=_id(),
        file_upload_id=_id(),
        original_file_name="Märta_Lindqvist_sen_inlämning.docx",
    )


def _batch_file_removed() -> ev.BatchFileRemovedV1:
    return ev.BatchFileRemovedV1(
        batch_id=_id(),
        user_id=_id(),
        file_upload_id=_id(),
        original_file_name="Håkan_Jönsson_kopia.docx",
    )


def _student_parsing_completed() -> ev.StudentParsingCompletedV1:
    # As the File Service sends it: names, emails and file names sealed under the event key.
    seal = KeyRing(DEV_EVENT_PII_KEY).encrypt_text
    headers = [
        ev.ParsedStudentHeader(
            file_upload_id=_id(),
            text_storage_id=_id(),
            student_name_ciphertext=seal(name),
            student_email_ciphertext=seal(email) if i % 2 == 0 else None,
            original_file_name_ciphertext=seal(f"{name}.docx"),
            extraction_confidence=0.95 if i % 2 == 0 else 0.72,
        )
        for i, (name, email) in enumerate(STUDENTS)
    ]
    return ev.StudentParsingCompletedV1(
        batch_id=_id(), user_id=_id(), class_id=_id(), parsed_headers=headers
    )


def _batch_essays_ready() -> ev.BatchEssaysReadyV1:
    return ev.BatchEssaysReadyV1(
        batch_id=_id(),
        user_id=_id(),
        course_code=CourseCode.SV2,
        ready_essays=_essay_refs(3),
        validation_failure_count=1,
        is_partial=False,
        missing_essay_ids=[],
    )


def _client_batch_pipeline_request() -> ev.ClientBatchPipelineRequestV1:
    return ev.ClientBatchPipelineRequestV1(
        batch_id=_id(),
        user_id=_id(),
        requested_pipeline=PipelineName.SPELLCHECK,
        client_request_id=_id(),
        idempotency_key=_id(),
    )


def _batch_spellcheck_initiate_command() -> ev.BatchSpellcheckInitiateCommandV1:
    return ev.BatchSpellcheckInitiateCommandV1(
        batch_id=_id(),
        course_code=CourseCode.ENG6,
        language=language_for_course(CourseCode.ENG6),
        essays=_essay_refs(3),
    )


def _essay_spellcheck_requested() -> ev.EssaySpellcheckRequestedV1:
    return ev.EssaySpellcheckRequestedV1(
        batch_id=_id(),
        essay_id=_id(),
        text_storage_id=_id(),
        language=Language.SWEDISH,
        course_code=CourseCode.SV1,
    )


def _essay_spellcheck_completed() -> ev.EssaySpellcheckCompletedV1:
    return ev.EssaySpellcheckCompletedV1(
        batch_id=_id(),
        essay_id=_id(),
        outcome=OperationOutcome.SUCCESS,
        language=Language.SWEDISH,
        original_text_storage_id=_id(),
        corrected_text_storage_id=_id(),
        misspellings=[
            ev.Misspelling(word="skärgårdn", start=52, end=61, suggestions=["skärgården"]),
            ev.Misspelling(
                word="tärnorans", start=190, end=199, suggestions=["tärnornas", "tärnors"]
            ),
        ],
        correction_count=2,
        word_count=412,
    )


def _els_batch_phase_outcome() -> ev.ELSBatchPhaseOutcomeV1:
    return ev.ELSBatchPhaseOutcomeV1(
        batch_id=_id(),
        phase=PhaseName.SPELLCHECK,
        phase_status=PhaseStatus.COMPLETED_WITH_FAILURES,
        essay_outcomes=[
            *(
                ev.EssayPhaseOutcome(
                    essay_id=_id(), outcome=OperationOutcome.SUCCESS, output_storage_id=_id()
                )
                for _ in range(2)
            ),
            ev.EssayPhaseOutcome(
                essay_id=_id(),
                outcome=OperationOutcome.FAILURE,
                error_message="Texten kunde inte hämtas från innehållstjänsten (timeout).",
            ),
        ],
    )


def _batch_pipeline_completed() -> ev.BatchPipelineCompletedV1:
    return ev.BatchPipelineCompletedV1(
        batch_id=_id(),
        user_id=_id(),
        final_status=BatchStatus.COMPLETED_WITH_FAILURES,
        completed_phases=[PhaseName.SPELLCHECK],
        phase_statuses={PhaseName.SPELLCHECK: PhaseStatus.COMPLETED_WITH_FAILURES},
        successful_essay_count=23,
        failed_essay_count=1,
    )


def _batch_pipeline_denied() -> ev.BatchPipelineDeniedV1:
    return ev.BatchPipelineDeniedV1(
        batch_id=_id(),
        user_id=_id(),
        requested_pipeline=PipelineName.SPELLCHECK,
        reason_code="PIPELINE_NOT_READY",
        reason="Satsen väntar fortfarande på 2 av 25 uppsatser.",
        client_request_id=_id(),
    )


def _essay_slot_assigned() -> ev.EssaySlotAssignedV1:
    return ev.EssaySlotAssignedV1(
        batch_id=_id(),
        essay_id=_id(),
        file_upload_id=_id(),
        text_storage_id="c" * 64,
        original_file_name="Åsa_Öberg_uppsats.docx",
    )


def _excess_content_provisioned() -> ev.ExcessContentProvisionedV1:
    return ev.ExcessContentProvisionedV1(
        batch_id=_id(),
        file_upload_id=_id(),
        original_file_name="extra_uppsats_Björn.pdf",
        text_storage_id="d" * 64,
        reason="All 25 essay slots of the batch are already filled.",
    )


def _class_created() -> ev.ClassCreatedV1:
    return ev.ClassCreatedV1(class_id=_id(), user_id=_id(), course_code=CourseCode.ENG6)


def _class_updated() -> ev.ClassUpdatedV1:
    return ev.ClassUpdatedV1(
        class_id=_id(),
        user_id=_id(),
        course_code=CourseCode.SV2,
        changed_fields=["name", "course_code"],
    )


def _student_created() -> ev.StudentCreatedV1:
    return ev.StudentCreatedV1(student_id=_id(), user_id=_id(), class_ids=[_id(), _id()])


def _student_updated() -> ev.StudentUpdatedV1:
    return ev.StudentUpdatedV1(
        student_id=_id(),
        user_id=_id(),
        class_ids=[_id()],
        changed_fields=["email", "class_ids"],
    )


def _batch_author_matches_suggested() -> ev.BatchAuthorMatchesSuggestedV1:
    return ev.BatchAuthorMatchesSuggestedV1(
        batch_id=_id(),
        class_id=_id(),
        user_id=_id(),
        suggestions=[
            ev.AuthorMatchSuggestion(
                essay_id=_id(),
                student_id=None if method is AssociationMethod.UNKNOWN_STUDENT else _id(),
                confidence=confidence,
                method=method,
            )
            for confidence, method in (
                (0.98, AssociationMethod.EMAIL_MATCH),
                (0.74, AssociationMethod.NAME_MATCH),
                (0.0, AssociationMethod.UNKNOWN_STUDENT),
            )
        ],
    )


def _essay_student_association_updated() -> ev.EssayStudentAssociationUpdatedV1:
    return ev.EssayStudentAssociationUpdatedV1(
        batch_id=_id(),
        class_id=_id(),
        essay_id=_id(),
        student_id=_id(),
        status=AssociationStatus.CONFIRMED,
        method=AssociationMethod.TEACHER,
        confidence=1.0,
    )


def _student_associations_confirmed() -> ev.StudentAssociationsConfirmedV1:
    return ev.StudentAssociationsConfirmedV1(
        batch_id=_id(),
        class_id=_id(),
        user_id=_id(),
        associations=[
            ev.ConfirmedAssociation(essay_id=_id(), student_id=_id(), method=method)
            for method in (AssociationMethod.EMAIL_MATCH, AssociationMethod.TIMEOUT)
        ],
        confirmed_by_timeout=True,
    )


def _student_erasure_requested() -> ev.StudentErasureRequestedV1:
    name, email = STUDENTS[1]
    terms = json.dumps([name, email], ensure_ascii=False)
    return ev.StudentErasureRequestedV1(
        erasure_id=_id(),
        student_id=_id(),
        user_id=_id(),
        essay_mode=EssayErasureMode.KEEP,
        essays=[
            ev.ErasedEssay(
                batch_id=_id(), file_upload_id=_id(), essay_id=_id(), text_storage_id="e" * 64
            )
        ],
        redaction_terms_ciphertext=KeyRing(DEV_EVENT_PII_KEY).encrypt_text(terms),
    )


def _teacher_notification_requested() -> ev.TeacherNotificationRequestedV1:
    batch_id = _id()
    return ev.TeacherNotificationRequestedV1(
        user_id=_id(),
        notification_type="phase_completed",
        category=NotificationCategory.PROCESSING_RESULTS,
        priority=NotificationPriority.STANDARD,
        batch_id=batch_id,
        message="Stavningskontrollen är klar: 23 av 24 lyckades.",
        payload={"batch_id": batch_id, "succeeded": 23, "total": 24, "phase": "spellcheck"},
        params={"succeeded_count": 23, "total_count": 24},
        action_required=False,
    )


def _batch_grammar_initiate_command() -> ev.BatchGrammarInitiateCommandV1:
    return ev.BatchGrammarInitiateCommandV1(
        batch_id=_id(),
        course_code=CourseCode.SV2,
        language=language_for_course(CourseCode.SV2),
        essays=_essay_refs(2),
        disabled_categories=["STYLE"],
    )


def _essay_grammar_requested() -> ev.EssayGrammarRequestedV1:
    return ev.EssayGrammarRequestedV1(
        batch_id=_id(),
        essay_id=_id(),
        text_storage_id=_id(),
        language=Language.ENGLISH,
        course_code=CourseCode.ENG5,
        disabled_categories=["TYPOGRAPHY"],
    )


def _essay_grammar_completed() -> ev.EssayGrammarCompletedV1:
    return ev.EssayGrammarCompletedV1(
        batch_id=_id(),
        essay_id=_id(),
        outcome=OperationOutcome.SUCCESS,
        language=Language.ENGLISH,
        text_storage_id=_id(),
        matches=[
            ev.GrammarMatch(
                start=10,
                end=14,
                text="have",
                rule_id="HE_VERB_AGR",
                category="GRAMMAR",
                message="The pronoun 'She' must be used with a third-person verb: 'has'.",
                replacements=["has"],
            )
        ],
        word_count=120,
    )


SAMPLE_EVENTS: dict[type[BaseModel], Callable[[], BaseModel]] = {
    ev.BatchEssaysRegisteredV1: _batch_essays_registered,
    ev.EssayContentProvisionedV1: _essay_content_provisioned,
    ev.EssayValidationFailedV1: _essay_validation_failed,
    ev.BatchFileAddedV1: _batch_file_added,
    ev.BatchFileRemovedV1: _batch_file_removed,
    ev.StudentParsingCompletedV1: _student_parsing_completed,
    ev.BatchEssaysReadyV1: _batch_essays_ready,
    ev.ClientBatchPipelineRequestV1: _client_batch_pipeline_request,
    ev.BatchSpellcheckInitiateCommandV1: _batch_spellcheck_initiate_command,
    ev.EssaySpellcheckRequestedV1: _essay_spellcheck_requested,
    ev.EssaySpellcheckCompletedV1: _essay_spellcheck_completed,
    ev.BatchGrammarInitiateCommandV1: _batch_grammar_initiate_command,
    ev.EssayGrammarRequestedV1: _essay_grammar_requested,
    ev.EssayGrammarCompletedV1: _essay_grammar_completed,
    ev.ELSBatchPhaseOutcomeV1: _els_batch_phase_outcome,
    ev.BatchPipelineCompletedV1: _batch_pipeline_completed,
    ev.BatchPipelineDeniedV1: _batch_pipeline_denied,
    ev.EssaySlotAssignedV1: _essay_slot_assigned,
    ev.ExcessContentProvisionedV1: _excess_content_provisioned,
    ev.ClassCreatedV1: _class_created,
    ev.ClassUpdatedV1: _class_updated,
    ev.StudentCreatedV1: _student_created,
    ev.StudentUpdatedV1: _student_updated,
    ev.BatchAuthorMatchesSuggestedV1: _batch_author_matches_suggested,
    ev.EssayStudentAssociationUpdatedV1: _essay_student_association_updated,
    ev.StudentAssociationsConfirmedV1: _student_associations_confirmed,
    ev.StudentErasureRequestedV1: _student_erasure_requested,
    ev.TeacherNotificationRequestedV1: _teacher_notification_requested,
}


def sample_event(model: type[M]) -> M:
    """A fresh, valid example of `model` (every registry event has one)."""
    try:
        factory = SAMPLE_EVENTS[model]
    except KeyError:
        raise KeyError(f"no sample for {model.__name__}; add one to SAMPLE_EVENTS") from None
    return cast(M, factory())
