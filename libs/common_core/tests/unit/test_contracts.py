"""Contract tests: the registry, the envelope round trip, strict models and the error body."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from pydantic import BaseModel, ValidationError

from common_core import (
    ALL_TOPICS,
    EVENT_TOPICS,
    BatchPipelineStateV1,
    BatchStatus,
    CourseCode,
    ErrorBody,
    ErrorCode,
    ErrorDetail,
    EventEnvelope,
    Language,
    PhaseName,
    PipelineRequestOutcome,
    PipelineRequestRecordV1,
    dlq_topic,
    event_model_for,
    http_status_for,
    language_for_course,
    topic_for,
)
from common_core.events import ClientBatchPipelineRequestV1
from common_core.topics import EVENT_KEY_FIELDS, key_field_for
from huleedu_testing.sample_events import SAMPLE_EVENTS, sample_event

pytestmark = pytest.mark.unit

# ARCHITECTURE.md section 5, written out so a silent rename of a topic fails here.
ARCHITECTURE_TOPICS = [
    "huleedu.batch.essays.registered.v1",
    "huleedu.file.essay.content.provisioned.v1",
    "huleedu.file.essay.validation.failed.v1",
    "huleedu.file.batch.file.added.v1",
    "huleedu.file.batch.file.removed.v1",
    "huleedu.file.student.parsing.completed.v1",
    "huleedu.els.batch.essays.ready.v1",
    "huleedu.commands.batch.pipeline.v1",
    "huleedu.els.spellcheck.initiate.command.v1",
    "huleedu.essay.spellcheck.requested.v1",
    "huleedu.essay.spellcheck.completed.v1",
    "huleedu.els.batch.phase.outcome.v1",
    "huleedu.batch.pipeline.completed.v1",
    "huleedu.class.created.v1",
    "huleedu.class.updated.v1",
    "huleedu.class.student.created.v1",
    "huleedu.class.student.updated.v1",
    "huleedu.batch.author.matches.suggested.v1",
    "huleedu.class.essay.association.updated.v1",
    "huleedu.class.student.associations.confirmed.v1",
    "huleedu.notification.teacher.requested.v1",
]

# Added with the batch flow and erasure, and listed in documentation/events.md.
ADDED_TOPICS = [
    "huleedu.batch.pipeline.denied.v1",
    "huleedu.els.essay.slot.assigned.v1",
    "huleedu.els.excess.content.provisioned.v1",
    "huleedu.class.student.erasure.requested.v1",
    "huleedu.els.grammar.initiate.command.v1",
    "huleedu.essay.grammar.requested.v1",
    "huleedu.essay.grammar.completed.v1",
]
TOPIC_NAME = re.compile(r"^huleedu(\.[a-z][a-z0-9_]*){2,}\.v[1-9][0-9]*$")
REGISTRY_MODELS = list(EVENT_TOPICS)


def envelope_for(event: BaseModel) -> EventEnvelope[Any]:
    return EventEnvelope.wrap(
        event, source_service="contract_tests", correlation_id="corr-contract-1"
    )


class TestRegistry:
    def test_every_registry_model_has_a_sample(self) -> None:
        missing = [m.__name__ for m in REGISTRY_MODELS if m not in SAMPLE_EVENTS]
        assert missing == []

    def test_samples_cover_only_registry_models(self) -> None:
        assert set(SAMPLE_EVENTS) == set(REGISTRY_MODELS)

    def test_topics_are_the_architecture_list_plus_the_documented_additions(self) -> None:
        assert len(ARCHITECTURE_TOPICS) == 21
        assert sorted(ALL_TOPICS) == sorted([*ARCHITECTURE_TOPICS, *ADDED_TOPICS])

    def test_topic_names_are_unique(self) -> None:
        assert len(set(ALL_TOPICS)) == len(ALL_TOPICS)

    @pytest.mark.parametrize("topic", ALL_TOPICS)
    def test_topic_name_follows_convention(self, topic: str) -> None:
        assert TOPIC_NAME.match(topic), topic
        assert not TOPIC_NAME.match(dlq_topic(topic))

    @pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda m: m.__name__)
    def test_model_and_topic_lookups_agree(self, model: type[BaseModel]) -> None:
        assert event_model_for(model.__name__) is model
        assert topic_for(model) == EVENT_TOPICS[model]
        assert topic_for(sample_event(model)) == EVENT_TOPICS[model]

    def test_unknown_event_type_is_a_key_error(self) -> None:
        with pytest.raises(KeyError, match="NoSuchEventV1"):
            event_model_for("NoSuchEventV1")

    def test_every_registry_model_has_a_record_key(self) -> None:
        assert set(EVENT_KEY_FIELDS) == set(REGISTRY_MODELS)

    @pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda m: m.__name__)
    def test_the_record_key_is_a_required_string_field(self, model: type[BaseModel]) -> None:
        field = model.model_fields[key_field_for(model)]
        assert field.annotation is str
        assert field.is_required()
        assert key_field_for(sample_event(model)) == key_field_for(model)

    def test_a_model_outside_the_registry_has_no_record_key(self) -> None:
        with pytest.raises(KeyError, match="ErrorBody"):
            key_field_for(ErrorBody)


@pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda m: m.__name__)
class TestEnvelopeRoundTrip:
    def test_sample_is_valid_and_fresh(self, model: type[BaseModel]) -> None:
        first, second = sample_event(model), sample_event(model)
        assert isinstance(first, model)
        assert model.model_validate(first.model_dump(mode="json")) == first
        assert first != second  # fresh ids per call

    def test_round_trip_is_equal(self, model: type[BaseModel]) -> None:
        envelope = envelope_for(sample_event(model))
        decoded = EventEnvelope[model].model_validate_json(envelope.model_dump_json())  # type: ignore[valid-type]
        assert decoded == envelope
        assert type(decoded.data) is model
        assert decoded.data == envelope.data

    def test_event_type_is_the_class_name(self, model: type[BaseModel]) -> None:
        assert envelope_for(sample_event(model)).event_type == model.__name__

    def test_event_id_survives_reserialisation(self, model: type[BaseModel]) -> None:
        envelope = envelope_for(sample_event(model))
        once = EventEnvelope[model].model_validate_json(envelope.model_dump_json())  # type: ignore[valid-type]
        twice = EventEnvelope[model].model_validate_json(once.model_dump_json())  # type: ignore[valid-type]
        assert isinstance(envelope.event_id, UUID)
        assert once.event_id == twice.event_id == envelope.event_id

    def test_fields_added_by_a_newer_producer_are_ignored(self, model: type[BaseModel]) -> None:
        # Tolerant reader: an optional field added to a V1 event during a rolling deploy must
        # not dead-letter messages at consumers that do not know it yet.
        event = sample_event(model)
        payload = event.model_dump(mode="json")
        assert model.model_validate({**payload, "added_in_a_later_release": "x"}) == event

    def test_added_fields_inside_an_envelope_are_ignored(self, model: type[BaseModel]) -> None:
        envelope = envelope_for(sample_event(model))
        data = envelope.model_dump(mode="json")
        data["data"]["added_in_a_later_release"] = "x"
        assert EventEnvelope[model].model_validate(data) == envelope  # type: ignore[valid-type]

    def test_missing_required_fields_are_rejected(self, model: type[BaseModel]) -> None:
        payload = sample_event(model).model_dump(mode="json")
        required = [name for name, field in model.model_fields.items() if field.is_required()]
        with pytest.raises(ValidationError):
            model.model_validate({k: v for k, v in payload.items() if k != required[0]})


class TestErrors:
    @pytest.mark.parametrize("code", list(ErrorCode), ids=str)
    def test_every_code_has_an_error_status(self, code: ErrorCode) -> None:
        assert 400 <= http_status_for(code) <= 599

    def test_error_body_shape(self) -> None:
        body = ErrorBody(
            error=ErrorDetail(
                code=ErrorCode.BATCH_NOT_FOUND,
                message="Batchen finns inte",
                correlation_id="corr-1",
                service="batch_orchestrator_service",
                details={"batch_id": "b-1"},
            )
        )
        assert body.model_dump(mode="json") == {
            "error": {
                "code": "BATCH_NOT_FOUND",
                "message": "Batchen finns inte",
                "correlation_id": "corr-1",
                "service": "batch_orchestrator_service",
                "details": {"batch_id": "b-1"},
            }
        }
        assert ErrorBody.model_validate_json(body.model_dump_json()) == body


COURSE_LANGUAGES = {
    CourseCode.ENG5: Language.ENGLISH,
    CourseCode.ENG6: Language.ENGLISH,
    CourseCode.ENG7: Language.ENGLISH,
    CourseCode.SV1: Language.SWEDISH,
    CourseCode.SV2: Language.SWEDISH,
    CourseCode.SV3: Language.SWEDISH,
}


class TestCourses:
    def test_every_course_has_an_expected_language(self) -> None:
        assert set(COURSE_LANGUAGES) == set(CourseCode)

    @pytest.mark.parametrize(("course", "language"), COURSE_LANGUAGES.items(), ids=str)
    def test_language_for_course(self, course: CourseCode, language: Language) -> None:
        assert language_for_course(course) is language
        assert language.value == ("en" if course.value.startswith("ENG") else "sv")


class TestIdempotentPipelineRequests:
    def test_a_command_from_before_idempotency_keys_still_reads(self) -> None:
        old = {
            "batch_id": "b-1",
            "user_id": "teacher-1",
            "requested_pipeline": "spellcheck",
            "client_request_id": "r-1",
        }
        command = ClientBatchPipelineRequestV1.model_validate(old)
        assert command.idempotency_key is None

    def test_a_pipeline_state_without_a_request_record_still_reads(self) -> None:
        state = BatchPipelineStateV1.model_validate(
            {
                "batch_id": "b-1",
                "user_id": "teacher-1",
                "status": "ready_for_pipeline",
                "accepts_files": True,
                "course_code": "SV1",
                "expected_essay_count": 2,
            }
        )
        assert state.pipeline_request is None

    def test_a_request_record_round_trips_in_the_pipeline_state(self) -> None:
        record = PipelineRequestRecordV1(
            idempotency_key="key-1",
            request_id="r-1",
            pipeline=PhaseName.SPELLCHECK,
            outcome=PipelineRequestOutcome.DENIED,
            reason_code="PIPELINE_NOT_READY",
            reason="Not ready.",
            handled_at=datetime(2026, 11, 23, tzinfo=UTC),
        )
        state = BatchPipelineStateV1(
            batch_id="b-1",
            user_id="teacher-1",
            status=BatchStatus.READY_FOR_PIPELINE,
            accepts_files=False,
            course_code=CourseCode.SV1,
            expected_essay_count=2,
            pipeline_request=record,
        )
        assert BatchPipelineStateV1.model_validate_json(state.model_dump_json()) == state
