"""HuleEdu contracts: pure pydantic models shared by every service. No I/O here."""

from common_core.enums import (
    AssociationMethod,
    AssociationStatus,
    BatchStatus,
    CourseCode,
    EssayStatus,
    GrammarCategory,
    Language,
    NotificationCategory,
    NotificationPriority,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
    PipelineName,
    PipelineRequestOutcome,
    language_for_course,
)
from common_core.envelope import EventEnvelope, utc_now
from common_core.errors import ErrorBody, ErrorCode, ErrorDetail, http_status_for
from common_core.internal_api import (
    BatchPipelineStateV1,
    PipelinePhaseState,
    PipelineRequestRecordV1,
)
from common_core.limits import MAX_ESSAYS_PER_BATCH
from common_core.topics import (
    ALL_TOPICS,
    EVENT_TOPICS,
    all_topics_with_dlq,
    dlq_topic,
    event_model_for,
    topic_for,
)

__all__ = [
    "ALL_TOPICS",
    "EVENT_TOPICS",
    "MAX_ESSAYS_PER_BATCH",
    "AssociationMethod",
    "AssociationStatus",
    "BatchPipelineStateV1",
    "BatchStatus",
    "CourseCode",
    "ErrorBody",
    "ErrorCode",
    "ErrorDetail",
    "EssayStatus",
    "EventEnvelope",
    "GrammarCategory",
    "Language",
    "NotificationCategory",
    "NotificationPriority",
    "OperationOutcome",
    "PhaseName",
    "PhaseStatus",
    "PipelineName",
    "PipelinePhaseState",
    "PipelineRequestOutcome",
    "PipelineRequestRecordV1",
    "all_topics_with_dlq",
    "dlq_topic",
    "event_model_for",
    "http_status_for",
    "language_for_course",
    "topic_for",
    "utc_now",
]
