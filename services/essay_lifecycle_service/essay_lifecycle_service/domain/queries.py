"""Read side for the status API: a teacher sees only their own batches and essays."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from common_core.enums import EssayStatus
from essay_lifecycle_service.domain.models import BatchTracker, Essay, HistoryEntry
from essay_lifecycle_service.domain.ports import UnitOfWork, UnitOfWorkFactory


class BatchNotFound(Exception):
    """No such batch, or someone else's (indistinguishable on purpose)."""


class EssayNotFound(Exception):
    """No such essay, or someone else's (indistinguishable on purpose)."""


@dataclass(frozen=True)
class BatchStatusView:
    """A batch's slots, counts per status and readiness."""

    batch: BatchTracker
    essays: list[Essay]
    validation_failure_count: int

    @property
    def counts(self) -> dict[str, int]:
        """Essays per status (every status present, zero included)."""
        counted = Counter(e.status for e in self.essays)
        return {status.value: counted.get(status, 0) for status in EssayStatus}


class StatusQueries:
    """Batch status, one essay, and an essay's timeline, for their owner."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def batch_status(self, batch_id: str, user_id: str) -> BatchStatusView:
        """The batch's status, if it is the user's."""
        async with self._uow_factory() as uow:
            batch = await uow.batches.get(batch_id)
            if batch is None or batch.user_id != user_id:
                raise BatchNotFound(batch_id)
            essays = await uow.essays.list_for_batch(batch_id)
            failures = await uow.batches.count_validation_failures(batch_id)
        return BatchStatusView(batch, essays, failures)

    async def essay(self, essay_id: str, user_id: str) -> Essay:
        """One essay, if its batch is the user's."""
        async with self._uow_factory() as uow:
            return await _owned_essay(uow, essay_id, user_id)

    async def timeline(self, essay_id: str, user_id: str) -> tuple[Essay, list[HistoryEntry]]:
        """An essay and its status changes, oldest first."""
        async with self._uow_factory() as uow:
            essay = await _owned_essay(uow, essay_id, user_id)
            return essay, await uow.essays.history(essay_id)


async def _owned_essay(uow: UnitOfWork, essay_id: str, user_id: str) -> Essay:
    essay = await uow.essays.get(essay_id)
    if essay is None:
        raise EssayNotFound(essay_id)
    batch = await uow.batches.get(essay.batch_id)
    if batch is None or batch.user_id != user_id:
        raise EssayNotFound(essay_id)
    return essay
