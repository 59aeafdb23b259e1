"""In-memory fake of the UploadRepository port (what has arrived of each upload)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from essay_lifecycle_service.domain.models import FileArrival, UploadProgress


@dataclass
class UploadState:
    """Uploads' counts, received files and removed files; part of FakeState."""

    uploads: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    completed: set[tuple[str, str]] = field(default_factory=set)
    received: dict[tuple[str, str], tuple[str | None, bool]] = field(default_factory=dict)
    removed: set[tuple[str, str]] = field(default_factory=set)
    accepted_at: dict[tuple[str, str], datetime] = field(default_factory=dict)


class FakeUploads:
    def __init__(self, state: UploadState) -> None:
        self.s = state

    async def record_arrival(self, arrival: FileArrival) -> bool:
        upload = arrival.upload
        if upload is not None:
            self.s.uploads.setdefault(
                (arrival.batch_id, upload.upload_id),
                (upload.accepted_count, upload.rejected_count),
            )
        key = (arrival.batch_id, arrival.file_upload_id)
        if key in self.s.received:
            return False
        self.s.received[key] = (upload.upload_id if upload else None, arrival.accepted)
        if arrival.accepted and arrival.at is not None:
            self.s.accepted_at[key] = arrival.at
        return True

    async def record_arrivals(self, arrivals: Sequence[FileArrival]) -> set[str]:
        return {a.file_upload_id for a in arrivals if await self.record_arrival(a)}

    def _arrived(self, batch_id: str, upload_id: str, accepted: bool) -> int:
        return sum(
            1
            for (b, _), (u, a) in self.s.received.items()
            if b == batch_id and u == upload_id and a is accepted
        )

    async def accepted_in_flight(self, batch_id: str) -> int:
        return sum(
            max(0, accepted - self._arrived(b, upload_id, True))
            for (b, upload_id), (accepted, _) in self.s.uploads.items()
            if b == batch_id
        )

    async def complete_uploads(self, batch_id: str) -> list[UploadProgress]:
        done = []
        for (b, upload_id), (accepted, rejected) in sorted(self.s.uploads.items()):
            if b != batch_id or (b, upload_id) in self.s.completed:
                continue
            got = self._arrived(b, upload_id, True), self._arrived(b, upload_id, False)
            if got[0] >= accepted and got[1] >= rejected:
                self.s.completed.add((b, upload_id))
                done.append(UploadProgress(upload_id, accepted, rejected, *got))
        return done

    async def mark_removed(self, batch_id: str, file_upload_id: str) -> None:
        self.s.removed.add((batch_id, file_upload_id))

    async def removed_among(self, batch_id: str, file_upload_ids: Sequence[str]) -> set[str]:
        return {f for f in file_upload_ids if (batch_id, f) in self.s.removed}

    async def first_accepted_at(self, batch_id: str) -> datetime | None:
        return min((at for (b, _), at in self.s.accepted_at.items() if b == batch_id), default=None)
