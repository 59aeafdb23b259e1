"""Ports the aggregator's logic needs; adapters implement them, unit tests fake them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from common_core.enums import BatchStatus, CourseCode
from common_core.internal_api import BatchPipelineStateV1
from huleedu_service_libs.consumer import UnitOfWork as ConsumerUnitOfWork
from huleedu_service_libs.kafka import TransientError
from result_aggregator_service.domain.erasure import ErasureViews
from result_aggregator_service.domain.models import BatchView, EssayCounts, EssayView


class BatchViews(Protocol):
    """The batch rows of the view."""

    async def lock(self, batch_id: str) -> None:
        """Until commit, keep every other change of this batch (and its essays) out."""
        ...

    async def get(self, batch_id: str) -> BatchView | None:
        """One batch row."""
        ...

    async def get_with_essays(self, batch_id: str) -> tuple[BatchView | None, list[EssayView]]:
        """The batch row (None if absent) and its essays in slot order, read together.

        The essays' results carry their counts, not their misspellings (`misspellings` None).
        """
        ...

    async def put(self, batch: BatchView) -> None:
        """Insert or replace the batch row."""
        ...

    async def list_for_user(
        self, user_id: str, status: BatchStatus | None, limit: int, offset: int
    ) -> tuple[list[tuple[BatchView, EssayCounts]], int]:
        """A teacher's servable batches, newest first, with essay counts; and their total."""
        ...


class EssayViews(Protocol):
    """The essay rows of the view."""

    async def get(self, batch_id: str, essay_id: str) -> EssayView | None:
        """One essay of a batch."""
        ...

    async def get_many(self, batch_id: str, essay_ids: Sequence[str]) -> dict[str, EssayView]:
        """Essays of a batch by id (missing ids are absent)."""
        ...

    async def put_many(self, essays: Sequence[EssayView]) -> None:
        """Insert or replace essay rows (one statement)."""
        ...

    async def counts(self, batch_id: str) -> EssayCounts:
        """Counts over the batch's essays."""
        ...


class UnitOfWork(ConsumerUnitOfWork, Protocol):
    """One transaction: the inbox claim, the view rows and the outbox."""

    batches: BatchViews
    essays: EssayViews
    erasure: ErasureViews


UnitOfWorkFactory = Callable[[], UnitOfWork]


class BosUnavailable(TransientError):
    """BOS kept failing (connection errors, timeouts, 5xx) through the retries."""


class BosRejected(Exception):
    """BOS rejected the request itself (a 4xx other than 401/403/404/429): not transient."""

    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"batch orchestrator answered {status} for {url}")
        self.status = status


class BosBatch(BaseModel):
    """BOS's answer to `GET /internal/v1/batches/{batch_id}` (the fields the aggregator reads)."""

    model_config = ConfigDict(extra="ignore")

    batch_id: str
    user_id: str
    status: BatchStatus
    course_code: CourseCode
    expected_essay_count: int
    class_id: str | None = None
    essay_instructions: str | None = None
    essay_ids: list[str] = []
    pipeline_state: BatchPipelineStateV1 | None = None


class BatchOrchestrator(Protocol):
    """BOS's internal API; BosUnavailable when it stays unreachable, BosRejected on a 4xx."""

    async def pipeline_state(self, batch_id: str) -> BatchPipelineStateV1 | None:
        """The batch's pipeline state; None when BOS does not know the batch."""
        ...

    async def batch_for_user(self, batch_id: str, user_id: str) -> BosBatch | None:
        """The teacher's batch; None when missing or another teacher's."""
        ...


class TextUnavailable(Exception):
    """The Content Service could not be reached."""


class TextStore(Protocol):
    """Stored texts (the Content Service)."""

    async def text(self, storage_id: str) -> str | None:
        """The text; None if nothing is stored under the id; TextUnavailable if unreachable."""
        ...
