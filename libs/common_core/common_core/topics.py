"""The topic registry: the one place that says which topic each event travels on."""

from __future__ import annotations

from types import MappingProxyType

from pydantic import BaseModel

from common_core import events as ev

DLQ_SUFFIX = ".dlq"

# event model -> topic; names follow huleedu.<domain>.<event>.v<N> (ARCHITECTURE.md section 5).
_EVENT_TOPICS: dict[type[BaseModel], str] = {
    ev.BatchEssaysRegisteredV1: "huleedu.batch.essays.registered.v1",
    ev.EssayContentProvisionedV1: "huleedu.file.essay.content.provisioned.v1",
    ev.EssayValidationFailedV1: "huleedu.file.essay.validation.failed.v1",
    ev.BatchFileAddedV1: "huleedu.file.batch.file.added.v1",
    ev.BatchFileRemovedV1: "huleedu.file.batch.file.removed.v1",
    ev.StudentParsingCompletedV1: "huleedu.file.student.parsing.completed.v1",
    ev.BatchEssaysReadyV1: "huleedu.els.batch.essays.ready.v1",
    ev.ClientBatchPipelineRequestV1: "huleedu.commands.batch.pipeline.v1",
    ev.BatchSpellcheckInitiateCommandV1: "huleedu.els.spellcheck.initiate.command.v1",
    ev.EssaySpellcheckRequestedV1: "huleedu.essay.spellcheck.requested.v1",
    ev.EssaySpellcheckCompletedV1: "huleedu.essay.spellcheck.completed.v1",
    ev.BatchGrammarInitiateCommandV1: "huleedu.els.grammar.initiate.command.v1",
    ev.EssayGrammarRequestedV1: "huleedu.essay.grammar.requested.v1",
    ev.EssayGrammarCompletedV1: "huleedu.essay.grammar.completed.v1",
    ev.ELSBatchPhaseOutcomeV1: "huleedu.els.batch.phase.outcome.v1",
    ev.BatchPipelineCompletedV1: "huleedu.batch.pipeline.completed.v1",
    ev.BatchPipelineDeniedV1: "huleedu.batch.pipeline.denied.v1",
    ev.EssaySlotAssignedV1: "huleedu.els.essay.slot.assigned.v1",
    ev.ExcessContentProvisionedV1: "huleedu.els.excess.content.provisioned.v1",
    ev.ClassCreatedV1: "huleedu.class.created.v1",
    ev.ClassUpdatedV1: "huleedu.class.updated.v1",
    ev.StudentCreatedV1: "huleedu.class.student.created.v1",
    ev.StudentUpdatedV1: "huleedu.class.student.updated.v1",
    ev.BatchAuthorMatchesSuggestedV1: "huleedu.batch.author.matches.suggested.v1",
    ev.EssayStudentAssociationUpdatedV1: "huleedu.class.essay.association.updated.v1",
    ev.StudentAssociationsConfirmedV1: "huleedu.class.student.associations.confirmed.v1",
    ev.StudentErasureRequestedV1: "huleedu.class.student.erasure.requested.v1",
    ev.TeacherNotificationRequestedV1: "huleedu.notification.teacher.requested.v1",
}

# event model -> the field of its data whose value is the record key: the aggregate the event
# belongs to, so that aggregate's events share a partition and stay in order (section 5).
_KEY_FIELDS: dict[type[BaseModel], str] = {
    ev.BatchEssaysRegisteredV1: "batch_id",
    ev.EssayContentProvisionedV1: "batch_id",
    ev.EssayValidationFailedV1: "batch_id",
    ev.BatchFileAddedV1: "batch_id",
    ev.BatchFileRemovedV1: "batch_id",
    ev.StudentParsingCompletedV1: "batch_id",
    ev.BatchEssaysReadyV1: "batch_id",
    ev.ClientBatchPipelineRequestV1: "batch_id",
    ev.BatchSpellcheckInitiateCommandV1: "batch_id",
    ev.EssaySpellcheckRequestedV1: "batch_id",
    ev.EssaySpellcheckCompletedV1: "batch_id",
    ev.BatchGrammarInitiateCommandV1: "batch_id",
    ev.EssayGrammarRequestedV1: "batch_id",
    ev.EssayGrammarCompletedV1: "batch_id",
    ev.ELSBatchPhaseOutcomeV1: "batch_id",
    ev.BatchPipelineCompletedV1: "batch_id",
    ev.BatchPipelineDeniedV1: "batch_id",
    ev.EssaySlotAssignedV1: "batch_id",
    ev.ExcessContentProvisionedV1: "batch_id",
    ev.ClassCreatedV1: "class_id",
    ev.ClassUpdatedV1: "class_id",
    ev.StudentCreatedV1: "student_id",
    ev.StudentUpdatedV1: "student_id",
    ev.BatchAuthorMatchesSuggestedV1: "batch_id",
    ev.EssayStudentAssociationUpdatedV1: "batch_id",
    ev.StudentAssociationsConfirmedV1: "batch_id",
    ev.StudentErasureRequestedV1: "student_id",
    ev.TeacherNotificationRequestedV1: "user_id",
}

EVENT_TOPICS = MappingProxyType(_EVENT_TOPICS)
EVENT_KEY_FIELDS = MappingProxyType(_KEY_FIELDS)
EVENT_TYPES: MappingProxyType[str, type[BaseModel]] = MappingProxyType(
    {model.__name__: model for model in _EVENT_TOPICS}
)
ALL_TOPICS: tuple[str, ...] = tuple(_EVENT_TOPICS.values())


def topic_for(event: BaseModel | type[BaseModel]) -> str:
    """Topic an event (instance or model class) is published on."""
    model = event if isinstance(event, type) else type(event)
    try:
        return _EVENT_TOPICS[model]
    except KeyError:
        raise KeyError(f"{model.__name__} has no topic in the registry") from None


def key_field_for(event: BaseModel | type[BaseModel]) -> str:
    """Name of the event's field whose value publishers use as the Kafka record key."""
    model = event if isinstance(event, type) else type(event)
    try:
        return _KEY_FIELDS[model]
    except KeyError:
        raise KeyError(f"{model.__name__} has no record key in the registry") from None


def event_model_for(event_type: str) -> type[BaseModel]:
    """Event model for an envelope's event_type (the model's class name)."""
    try:
        return EVENT_TYPES[event_type]
    except KeyError:
        raise KeyError(f"unknown event type {event_type!r}") from None


def dlq_topic(topic: str) -> str:
    """Dead-letter topic for a topic."""
    return f"{topic}{DLQ_SUFFIX}"


def all_topics_with_dlq() -> list[str]:
    """Every registry topic followed by its dead-letter topic."""
    return [name for topic in ALL_TOPICS for name in (topic, dlq_topic(topic))]
