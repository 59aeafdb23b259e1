"""Every event model of the platform."""

from common_core.events.base import EntityRef, EssayRef, EventModel
from common_core.events.batch import (
    BatchEssaysRegisteredV1,
    BatchPipelineCompletedV1,
    BatchPipelineDeniedV1,
    ClientBatchPipelineRequestV1,
)
from common_core.events.class_management import (
    AuthorMatchSuggestion,
    BatchAuthorMatchesSuggestedV1,
    ClassCreatedV1,
    ClassUpdatedV1,
    ConfirmedAssociation,
    ErasedEssay,
    EssayStudentAssociationUpdatedV1,
    StudentAssociationsConfirmedV1,
    StudentCreatedV1,
    StudentErasureRequestedV1,
    StudentUpdatedV1,
)
from common_core.events.commands import (
    BatchGrammarInitiateCommandV1,
    BatchSpellcheckInitiateCommandV1,
)
from common_core.events.essay_lifecycle import (
    BatchEssaysReadyV1,
    ELSBatchPhaseOutcomeV1,
    EssayGrammarRequestedV1,
    EssayPhaseOutcome,
    EssaySlotAssignedV1,
    EssaySpellcheckRequestedV1,
    ExcessContentProvisionedV1,
)
from common_core.events.file import (
    BatchFileAddedV1,
    BatchFileRemovedV1,
    EssayContentProvisionedV1,
    EssayValidationFailedV1,
    ParsedStudentHeader,
    StudentParsingCompletedV1,
    UploadSummary,
)
from common_core.events.grammar import EssayGrammarCompletedV1, GrammarMatch
from common_core.events.notification import TeacherNotificationRequestedV1
from common_core.events.spellcheck import EssaySpellcheckCompletedV1, Misspelling

__all__ = [
    "AuthorMatchSuggestion",
    "BatchAuthorMatchesSuggestedV1",
    "BatchEssaysReadyV1",
    "BatchEssaysRegisteredV1",
    "BatchFileAddedV1",
    "BatchFileRemovedV1",
    "BatchGrammarInitiateCommandV1",
    "BatchPipelineCompletedV1",
    "BatchPipelineDeniedV1",
    "BatchSpellcheckInitiateCommandV1",
    "ClassCreatedV1",
    "ClassUpdatedV1",
    "ClientBatchPipelineRequestV1",
    "ConfirmedAssociation",
    "ELSBatchPhaseOutcomeV1",
    "EntityRef",
    "ErasedEssay",
    "EssayContentProvisionedV1",
    "EssayGrammarCompletedV1",
    "EssayGrammarRequestedV1",
    "EssayPhaseOutcome",
    "EssayRef",
    "EssaySlotAssignedV1",
    "EssaySpellcheckCompletedV1",
    "EssaySpellcheckRequestedV1",
    "EssayStudentAssociationUpdatedV1",
    "EssayValidationFailedV1",
    "EventModel",
    "ExcessContentProvisionedV1",
    "GrammarMatch",
    "Misspelling",
    "ParsedStudentHeader",
    "StudentAssociationsConfirmedV1",
    "StudentCreatedV1",
    "StudentErasureRequestedV1",
    "StudentParsingCompletedV1",
    "StudentUpdatedV1",
    "TeacherNotificationRequestedV1",
    "UploadSummary",
]
