"""Hand-written fakes of the orchestrator's ports (as fixtures: tests import no modules)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.errors import DependencyUnavailable
from batch_orchestrator_service.domain.pipeline_requests import PipelineRequestRecord
from common_core.class_api import ClassV1
from common_core.enums import CourseCode, PipelineRequestOutcome
from common_core.envelope import EventEnvelope
from common_core.events import EssayRef


class FakeBatches:
    """Stores copies, so a use case that forgets save() leaves no trace."""

    def __init__(self) -> None:
        self.rows: dict[str, Batch] = {}
        self.pending: dict[str, Batch] = {}

    async def add(self, batch: Batch) -> None:
        self.pending[batch.batch_id] = copy.deepcopy(batch)

    async def get(self, batch_id: str, *, for_update: bool = False) -> Batch | None:
        found = self.pending.get(batch_id) or self.rows.get(batch_id)
        return copy.deepcopy(found) if found else None

    async def save(self, batch: Batch) -> None:
        self.pending[batch.batch_id] = copy.deepcopy(batch)


class FakePipelineRequests:
    """Records by (user, batch, key); a key stays taken only once committed."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], PipelineRequestRecord] = {}
        self.pending: dict[tuple[str, str, str], PipelineRequestRecord] = {}

    async def record(self, entry: PipelineRequestRecord) -> bool:
        key = (entry.user_id, entry.batch_id, entry.idempotency_key)
        if key in self.rows or key in self.pending:
            return False
        self.pending[key] = replace(entry, handled_at=datetime.now(UTC))
        return True

    async def find(
        self, user_id: str, batch_id: str, idempotency_key: str
    ) -> PipelineRequestRecord | None:
        return self.rows.get((user_id, batch_id, idempotency_key))

    async def accepted_at(self, batch_id: str) -> datetime | None:
        times = [
            r.handled_at
            for r in self.rows.values()
            if r.batch_id == batch_id and r.outcome is PipelineRequestOutcome.ACCEPTED
        ]
        return min((t for t in times if t is not None), default=None)


class FakeUnitOfWork:
    """Commits batches, request keys, inbox claims and events together; rolls back otherwise."""

    def __init__(self) -> None:
        self.batches = FakeBatches()
        self.pipeline_requests = FakePipelineRequests()
        self.claimed: set[tuple[str, UUID]] = set()
        self.events: list[tuple[EventEnvelope[Any], str]] = []
        self._pending_claims: set[tuple[str, UUID]] = set()
        self._pending_events: list[tuple[EventEnvelope[Any], str]] = []
        self.commits = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.batches.pending.clear()
        self.pipeline_requests.pending.clear()
        self._pending_claims.clear()
        self._pending_events.clear()

    async def claim(self, *, consumer: str, event_id: UUID, event_type: str) -> bool:
        key = (consumer, event_id)
        if key in self.claimed or key in self._pending_claims:
            return False
        self._pending_claims.add(key)
        return True

    async def add_events(self, events: list[tuple[EventEnvelope[Any], str]]) -> None:
        self._pending_events.extend(events)

    async def commit(self) -> None:
        self.batches.rows.update(self.batches.pending)
        self.batches.pending.clear()
        self.pipeline_requests.rows.update(self.pipeline_requests.pending)
        self.pipeline_requests.pending.clear()
        self.claimed |= self._pending_claims
        self._pending_claims.clear()
        self.events.extend(self._pending_events)
        self._pending_events.clear()
        self.commits += 1

    def event_types(self) -> list[str]:
        return [env.event_type for env, _ in self.events]

    def of_type(self, event_type: str) -> list[tuple[EventEnvelope[Any], str]]:
        return [(env, key) for env, key in self.events if env.event_type == event_type]


class FakeClassDirectory:
    """Classes by id with their teacher; `retry_after` set makes every check unavailable."""

    def __init__(self) -> None:
        self.classes: dict[str, tuple[str, ClassV1]] = {}
        self.calls: list[tuple[str, str, str]] = []
        self.retry_after: float | None = None

    def add(self, class_id: str, user_id: str, name: str, course: CourseCode) -> ClassV1:
        at = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
        found = ClassV1(
            class_id=class_id, name=name, course_code=course, created_at=at, updated_at=at
        )
        self.classes[class_id] = (user_id, found)
        return found

    async def class_summary(
        self, class_id: str, user_id: str, correlation_id: str
    ) -> ClassV1 | None:
        self.calls.append((class_id, user_id, correlation_id))
        if self.retry_after is not None:
            raise DependencyUnavailable("class_management_service", self.retry_after)
        owner, found = self.classes.get(class_id, (None, None))
        return found if owner == user_id else None


def essay_refs(batch: Batch, count: int | None = None) -> list[EssayRef]:
    """Refs for the batch's first `count` slots."""
    ids = batch.essay_ids[: count if count is not None else len(batch.essay_ids)]
    return [
        EssayRef(
            essay_id=essay_id,
            text_storage_id=f"text-{n}",
            original_file_name=f"uppsats-{n}.docx",
            file_upload_id=f"file-{n}",
        )
        for n, essay_id in enumerate(ids)
    ]


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """A fresh fake unit of work."""
    return FakeUnitOfWork()


@pytest.fixture
def refs() -> Callable[..., list[EssayRef]]:
    """essay_refs(batch, count=None)."""
    return essay_refs


@pytest.fixture
def classes() -> FakeClassDirectory:
    """A fake Class Management Service with no classes yet."""
    return FakeClassDirectory()
