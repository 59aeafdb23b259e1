"""Hand-written fakes of the erasure's ports: file rows, the Content Service, the inbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self
from uuid import UUID

from file_service.domain.erasure import StoredFile
from file_service.domain.ports import DependencyUnavailable

TEACHER = "teacher-1"


class FakeFiles:
    def __init__(self, rows: list[tuple[str, StoredFile]]) -> None:
        self.rows = {f.file_upload_id: (owner, f) for owner, f in rows}
        self.deleted: list[str] = []

    async def lock(self, user_id: str, file_upload_ids: Sequence[str]) -> list[StoredFile]:
        found = [f for owner, f in self.rows.values() if owner == user_id]
        wanted = [f for f in found if f.file_upload_id in file_upload_ids]
        return sorted(wanted, key=lambda f: (f.batch_id, f.file_upload_id))

    async def delete(self, file_upload_ids: Sequence[str]) -> None:
        self.deleted.extend(file_upload_ids)
        for upload in file_upload_ids:
            del self.rows[upload]

    async def rename(self, names: dict[str, str]) -> None:
        for upload, name in names.items():
            owner, f = self.rows[upload]
            self.rows[upload] = (
                owner,
                StoredFile(upload, f.batch_id, name, f.raw_storage_id, f.text_storage_id),
            )


class FakeContent:
    """Records each erase call; `down` makes them fail like an unreachable service."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str], list[str], list[str]]] = []
        self.down = False

    async def erase(
        self, holder: str, delete: Sequence[str], redact: Sequence[str], terms: Sequence[str]
    ) -> None:
        if self.down:
            raise DependencyUnavailable("content_service", 1.0)
        self.calls.append((holder, list(delete), list(redact), list(terms)))


def stored(upload: str, batch: str) -> StoredFile:
    return StoredFile(upload, batch, f"Åsa Öberg {upload}.docx", f"raw-{upload}", f"text-{upload}")


def files() -> FakeFiles:
    return FakeFiles(
        [
            (TEACHER, stored("u1", "b1")),
            (TEACHER, stored("u2", "b2")),
            (TEACHER, stored("u3", "b1")),
            (TEACHER, stored("other-student", "b1")),
            ("another-teacher", stored("foreign", "b9")),
        ]
    )


class FakeUnitOfWork:
    """The inbox as a set of (consumer, event id), claims kept only on commit; rows shared."""

    def __init__(self, inbox: set[tuple[str, UUID]], rows: FakeFiles) -> None:
        self.inbox = inbox
        self.erasure = rows
        self._claims: list[tuple[str, UUID]] = []
        self.outbox: list[Any] = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._claims = []

    async def claim(self, *, consumer: str, event_id: UUID, event_type: str) -> bool:
        if (consumer, event_id) in self.inbox:
            return False
        self._claims.append((consumer, event_id))
        return True

    async def add_events(self, events: list[Any]) -> None:
        self.outbox.extend(events)

    async def commit(self) -> None:
        self.inbox.update(self._claims)
