"""Pipeline requests under an idempotency key: the first one for (user, batch, key) decides.

A teacher who got no clear answer (a 503 while Kafka was down) retries with the same key; the
gateway's first publish may still be delivered later. Whichever copy arrives first is applied
(accepted or denied) and recorded with the key in the same transaction; every later copy
changes nothing and tells the teacher nothing new, so no retry can look like a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from batch_orchestrator_service.domain.denials import Denial
from common_core.enums import PipelineName, PipelineRequestOutcome
from common_core.events import ClientBatchPipelineRequestV1
from common_core.internal_api import PipelineRequestRecordV1


@dataclass(frozen=True)
class PipelineRequestRecord:
    """What became of the first pipeline request a user sent for a batch under one key."""

    user_id: str
    batch_id: str
    idempotency_key: str
    pipeline: PipelineName
    outcome: PipelineRequestOutcome
    request_id: str | None
    event_id: UUID
    correlation_id: str
    reason_code: str | None = None
    reason: str | None = None
    handled_at: datetime | None = None  # set when stored

    @classmethod
    def handled(
        cls,
        request: ClientBatchPipelineRequestV1,
        denial: Denial | None,
        *,
        event_id: UUID,
        correlation_id: str,
    ) -> PipelineRequestRecord:
        """The record of a keyed request that is being accepted (no denial) or denied."""
        if request.idempotency_key is None:
            raise ValueError("only a request with an idempotency key is recorded")
        return cls(
            user_id=request.user_id,
            batch_id=request.batch_id,
            idempotency_key=request.idempotency_key,
            pipeline=request.requested_pipeline,
            outcome=PipelineRequestOutcome.ACCEPTED
            if denial is None
            else PipelineRequestOutcome.DENIED,
            request_id=request.client_request_id,
            event_id=event_id,
            correlation_id=correlation_id,
            reason_code=denial.code.value if denial else None,
            reason=denial.reason if denial else None,
        )

    def public(self) -> PipelineRequestRecordV1:
        """The record as the pipeline-state API shows it."""
        if self.handled_at is None:
            raise ValueError("a record is shown only once it is stored")
        return PipelineRequestRecordV1(
            idempotency_key=self.idempotency_key,
            request_id=self.request_id,
            pipeline=self.pipeline,
            outcome=self.outcome,
            reason_code=self.reason_code,
            reason=self.reason,
            correlation_id=self.correlation_id,
            handled_at=self.handled_at,
        )
