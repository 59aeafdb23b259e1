"""In-memory fake of the ErasureStore port: records what the erasure step asked of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from essay_lifecycle_service.domain.erasure import ErasedUpload


@dataclass
class ErasureLog:
    """What the erasure step did (action, teacher, uploads); part of FakeState.

    `fail` makes every later call raise after recording it (a database error mid-step).
    """

    calls: list[tuple[str, str, list[ErasedUpload]]] = field(default_factory=list)
    fail: Exception | None = None


class FakeErasure:
    """Answers with the number of uploads named."""

    def __init__(self, log: ErasureLog) -> None:
        self.log = log

    async def delete(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        return self._record("delete", user_id, uploads)

    async def relabel(self, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        return self._record("relabel", user_id, uploads)

    def _record(self, action: str, user_id: str, uploads: Sequence[ErasedUpload]) -> int:
        self.log.calls.append((action, user_id, list(uploads)))
        if self.log.fail is not None:
            raise self.log.fail
        return len(uploads)
