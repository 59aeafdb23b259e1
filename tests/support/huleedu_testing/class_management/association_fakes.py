"""Hand-written fakes of author matching's ports, with transactions that roll back.

A `FakeStore` holds the committed state; each `FakeUnitOfWork` works on a copy and writes it
back only on commit, so a use case that raises leaves nothing behind, as in PostgreSQL.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Self
from uuid import UUID

from class_management_service.domain.associations.ports import (
    Association,
    ClassBatch,
    ClassBatchStatus,
    Outgoing,
)
from class_management_service.domain.models import SchoolClass, Student, unknown_student_email
from common_core.enums import CourseCode
from common_core.envelope import EventEnvelope

FIXED_NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@dataclass
class AuditEntry:
    """One recorded audit call."""

    actor_user_id: str
    action: str
    student_ids: list[str]
    class_id: str | None
    correlation_id: str | None


@dataclass
class FakeState:
    """Everything the fakes store."""

    classes: dict[str, SchoolClass] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)
    batches: dict[str, ClassBatch] = field(default_factory=dict)
    rows: dict[tuple[str, str], Association] = field(default_factory=dict)
    claimed: set[tuple[str, UUID]] = field(default_factory=set)
    outbox: list[Outgoing] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    locks: list[str] = field(default_factory=list)


class FakeStore:
    """The committed state, and the fakes' clock for updated_at."""

    def __init__(self) -> None:
        self.state = FakeState()
        self.commits = 0
        # Batches another worker holds (lock_if_due skips them, like SKIP LOCKED).
        self.held_elsewhere: set[str] = set()
        # Batches whose lock fails (a lost connection, say), to test that one failure is contained.
        self.broken: set[str] = set()

    def add_class(self, class_id: str, user_id: str, course: CourseCode = CourseCode.SV1) -> None:
        """A class of the teacher."""
        self.state.classes[class_id] = SchoolClass(
            class_id, user_id, f"Klass {class_id}", course, 0, FIXED_NOW, FIXED_NOW
        )

    def add_student(
        self, student_id: str, user_id: str, first: str, last: str, email: str, *class_ids: str
    ) -> Student:
        """A student of the teacher enrolled in the classes."""
        student = Student(
            student_id, user_id, first, last, email, FIXED_NOW, FIXED_NOW, False, class_ids
        )
        self.state.students[student_id] = student
        return student

    def factory(self) -> FakeUnitOfWork:
        """A new unit of work (the use cases' factory)."""
        return FakeUnitOfWork(self)

    def events_of(self, model: type[Any]) -> list[EventEnvelope[Any]]:
        """Committed outbox envelopes of one event type."""
        return [env for env, _ in self.state.outbox if isinstance(env.data, model)]

    def rows_of(self, batch_id: str) -> list[Association]:
        """Committed association rows of a batch."""
        return [r for (b, _), r in sorted(self.state.rows.items()) if b == batch_id]


class _Batches:
    def __init__(self, state: FakeState, store: FakeStore) -> None:
        self._state, self._store = state, store

    async def add(self, batch: ClassBatch) -> bool:
        if batch.batch_id in self._state.batches:
            return False
        self._state.batches[batch.batch_id] = batch
        return True

    async def get(self, batch_id: str) -> ClassBatch | None:
        return self._state.batches.get(batch_id)

    async def lock(self, batch_id: str) -> ClassBatch | None:
        self._state.locks.append(batch_id)
        return self._state.batches.get(batch_id)

    async def save(self, batch: ClassBatch) -> None:
        self._state.batches[batch.batch_id] = batch

    async def due_for_timeout(self, suggested_before: datetime, limit: int) -> list[str]:
        due = [
            b
            for b in self._state.batches.values()
            if b.status is ClassBatchStatus.PENDING_VALIDATION
            and b.suggested_at is not None
            and b.suggested_at <= suggested_before
        ]
        due.sort(key=lambda b: b.suggested_at or FIXED_NOW)
        return [b.batch_id for b in due[:limit]]

    async def lock_if_due(self, batch_id: str, suggested_before: datetime) -> ClassBatch | None:
        if batch_id in self._store.broken:
            raise ConnectionError(f"lost the connection locking {batch_id}")
        batch = self._state.batches.get(batch_id)
        if batch is None or batch_id in self._store.held_elsewhere:
            return None
        due = batch.suggested_at is not None and batch.suggested_at <= suggested_before
        if batch.status is not ClassBatchStatus.PENDING_VALIDATION or not due:
            return None
        self._state.locks.append(batch_id)
        return batch

    async def oldest_pending_since(self) -> datetime | None:
        pending = [
            b.suggested_at
            for b in self._state.batches.values()
            if b.status is ClassBatchStatus.PENDING_VALIDATION and b.suggested_at is not None
        ]
        return min(pending, default=None)


class _Associations:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def list_for_batch(self, batch_id: str) -> list[Association]:
        rows = [r for (b, _), r in self._state.rows.items() if b == batch_id]
        return sorted(rows, key=lambda r: (r.essay_id is None, r.essay_id or "", r.file_upload_id))

    async def save_many(self, rows: Sequence[Association]) -> None:
        keys = [(r.batch_id, r.file_upload_id) for r in rows]
        if len(set(keys)) != len(keys):
            raise AssertionError("one statement cannot upsert a row twice")
        for key, row in zip(keys, rows, strict=True):
            self._state.rows[key] = replace(row, updated_at=FIXED_NOW)


class _Students:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def roster(self, class_id: str, *, include_placeholders: bool = False) -> list[Student]:
        members = [
            s
            for s in self._state.students.values()
            if class_id in s.class_ids and (include_placeholders or not s.is_placeholder)
        ]
        return sorted(members, key=lambda s: (s.is_placeholder, s.last_name, s.first_name))

    async def get_many(self, user_id: str, student_ids: Sequence[str]) -> list[Student]:
        found = (self._state.students.get(i) for i in student_ids)
        return [s for s in found if s is not None and s.user_id == user_id]

    async def ensure_unknown_student(self, user_id: str, class_id: str) -> tuple[Student, bool]:
        if class_id not in self._state.classes:
            # What the membership's foreign key does in PostgreSQL.
            raise LookupError(f"class {class_id} does not exist: the membership cannot be added")
        email = unknown_student_email(class_id)
        for student in self._state.students.values():
            if student.user_id == user_id and student.email == email:
                return student, False
        student = Student(
            f"unknown-{class_id}",
            user_id,
            "Unknown",
            "Student",
            email,
            FIXED_NOW,
            FIXED_NOW,
            True,
            (class_id,),
        )
        self._state.students[student.student_id] = student
        return student, True


class _Classes:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get(self, user_id: str, class_id: str) -> SchoolClass | None:
        found = self._state.classes.get(class_id)
        return found if found is not None and found.user_id == user_id else None


class _Audit:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def record(
        self,
        *,
        actor_user_id: str,
        action: str,
        student_ids: Sequence[str],
        class_id: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        self._state.audit.append(
            AuditEntry(actor_user_id, action, list(student_ids), class_id, correlation_id)
        )


class FakeUnitOfWork:
    """AssociationUnitOfWork over a private copy of the store, written back on commit."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self._state = FakeState()

    async def __aenter__(self) -> Self:
        self._state = copy.deepcopy(self._store.state)
        self.classes = _Classes(self._state)
        self.students = _Students(self._state)
        self.audit = _Audit(self._state)
        self.class_batches = _Batches(self._state, self._store)
        self.associations = _Associations(self._state)
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def claim(self, *, consumer: str, event_id: UUID, event_type: str) -> bool:
        key = (consumer, event_id)
        if key in self._state.claimed:
            return False
        self._state.claimed.add(key)
        return True

    async def add_events(self, events: list[Outgoing]) -> None:
        self._state.outbox.extend(events)

    async def commit(self) -> None:
        self._store.state = self._state
        self._store.commits += 1
