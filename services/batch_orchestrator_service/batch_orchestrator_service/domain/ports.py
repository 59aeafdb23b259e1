"""Ports the batch use cases need; adapters implement them, tests fake them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.pipeline_requests import PipelineRequestRecord
from common_core.class_api import ClassV1
from huleedu_service_libs.consumer import UnitOfWork as ConsumerUnitOfWork


class BatchRepository(Protocol):
    """Batches (with their slots and phases) inside a unit of work."""

    async def add(self, batch: Batch) -> None:
        """Insert a new batch and its essay slots."""
        ...

    async def get(self, batch_id: str, *, for_update: bool = False) -> Batch | None:
        """The batch, locked until the transaction ends when `for_update`."""
        ...

    async def save(self, batch: Batch) -> None:
        """Write back the batch's status, readiness, pipeline and phases."""
        ...


class PipelineRequestLog(Protocol):
    """Pipeline requests handled under an idempotency key, inside a unit of work."""

    async def record(self, entry: PipelineRequestRecord) -> bool:
        """Store the first request under its (user, batch, key); False if one is there already."""
        ...

    async def find(
        self, user_id: str, batch_id: str, idempotency_key: str
    ) -> PipelineRequestRecord | None:
        """The request handled under the key, or None."""
        ...

    async def accepted_at(self, batch_id: str) -> datetime | None:
        """When the batch's first accepted (keyed) pipeline request was handled, or None."""
        ...


class UnitOfWork(ConsumerUnitOfWork, Protocol):
    """One transaction: batch rows, the inbox claim and outbox events commit together."""

    batches: BatchRepository
    pipeline_requests: PipelineRequestLog


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""A fresh unit of work per event (the consumer kernel's runner opens it)."""


class ClassDirectory(Protocol):
    """The Class Management Service's view of a teacher's classes."""

    async def class_summary(
        self, class_id: str, user_id: str, correlation_id: str
    ) -> ClassV1 | None:
        """The teacher's class; None when it is unknown or another teacher's.

        Raises DependencyUnavailable when the directory cannot answer (down, slow, circuit open).
        """
        ...
