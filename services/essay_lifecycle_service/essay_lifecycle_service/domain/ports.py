"""Ports the lifecycle logic needs; adapters implement them, unit tests fake them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from common_core.enums import EssayStatus, OperationOutcome, PhaseName, PhaseStatus
from essay_lifecycle_service.domain.erasure import ErasureStore
from essay_lifecycle_service.domain.models import (
    BatchTracker,
    Essay,
    FileArrival,
    HistoryEntry,
    PhaseEssay,
    PhaseRecord,
    ProvisionedContent,
    UploadProgress,
)
from huleedu_service_libs.consumer import UnitOfWork as ConsumerUnitOfWork


class BatchRepository(Protocol):
    """Batch trackers, their validation failures and content that arrived before them."""

    async def lock_exclusive(self, batch_id: str) -> None:
        """Until commit, keep every other change of this batch out (registration)."""
        ...

    async def lock_shared(self, batch_id: str) -> None:
        """Until commit, keep registration of this batch out (other changes run side by side)."""
        ...

    async def get(self, batch_id: str) -> BatchTracker | None:
        """The tracker as committed."""
        ...

    async def get_for_update(self, batch_id: str) -> BatchTracker | None:
        """The tracker, row-locked until commit (readiness decisions are serialised here)."""
        ...

    async def add(self, batch: BatchTracker) -> bool:
        """Insert a tracker; False if it already exists."""
        ...

    async def mark_ready(self, batch_id: str, at: datetime, is_partial: bool) -> None:
        """Remember that readiness was announced (and that no new announcement is owed)."""
        ...

    async def owe_reannouncement(self, batch_id: str) -> None:
        """The ready batch's essays changed: readiness must be announced anew."""
        ...

    async def add_validation_failure(
        self, batch_id: str, file_upload_id: str, original_file_name: str, error_code: str
    ) -> bool:
        """Count a failed file once; False if it was already counted."""
        ...

    async def count_validation_failures(self, batch_id: str) -> int:
        """Failed files of the batch."""
        ...

    async def add_pending(self, content: ProvisionedContent) -> bool:
        """Park content for a batch not registered yet; False if already parked."""
        ...

    async def take_pending(self, batch_id: str) -> list[ProvisionedContent]:
        """Remove and return the batch's parked content, oldest first."""
        ...

    async def remove_pending(self, batch_id: str, file_upload_id: str) -> bool:
        """Forget parked content (its file was removed); False if none."""
        ...

    async def overdue(self, now: datetime, limit: int) -> list[str]:
        """Ids of batches past their deadline, not announced yet, with at least one essay."""
        ...


class UploadRepository(Protocol):
    """What has arrived of each upload, so no decision is taken with part of one missing."""

    async def record_arrival(self, arrival: FileArrival) -> bool:
        """Note a file event (and its upload's counts) once; False if it was already noted."""
        ...

    async def record_arrivals(self, arrivals: Sequence[FileArrival]) -> set[str]:
        """Note several file events of one batch at once; the file ids noted for the first time."""
        ...

    async def accepted_in_flight(self, batch_id: str) -> int:
        """Accepted essays of uploads seen so far whose events have not arrived yet."""
        ...

    async def complete_uploads(self, batch_id: str) -> list[UploadProgress]:
        """Mark uploads whose every file has arrived as complete; those just completed."""
        ...

    async def mark_removed(self, batch_id: str, file_upload_id: str) -> None:
        """Remember a removed file, so its content arriving later takes no slot."""
        ...

    async def removed_among(self, batch_id: str, file_upload_ids: Sequence[str]) -> set[str]:
        """Those of the files the teacher removed."""
        ...

    async def first_accepted_at(self, batch_id: str) -> datetime | None:
        """When the batch's first accepted file arrived, or None."""
        ...


class EssayRepository(Protocol):
    """Essay slots and their status history."""

    async def add_slots(self, batch_id: str, essay_ids: Sequence[str]) -> None:
        """One awaiting_content slot per id, in order."""
        ...

    async def lock_contents(self, batch_id: str, contents: Sequence[ProvisionedContent]) -> None:
        """Until commit, keep other deliveries of the same contents or files waiting."""
        ...

    async def find_holding_many(
        self, batch_id: str, contents: Sequence[ProvisionedContent]
    ) -> list[Essay]:
        """The slots already holding any of these contents (by hash) or files."""
        ...

    async def take_free_slots(
        self, batch_id: str, contents: Sequence[ProvisionedContent]
    ) -> list[Essay]:
        """Put the contents into the lowest free slots atomically, in order; fewer essays
        than contents when the batch has no free slot left for the rest."""
        ...

    async def find_by_file(self, batch_id: str, file_upload_id: str) -> Essay | None:
        """The slot holding a file."""
        ...

    async def release_slot(self, essay_id: str) -> None:
        """Empty a slot (its file was removed): back to awaiting_content."""
        ...

    async def get(self, essay_id: str) -> Essay | None:
        """One essay."""
        ...

    async def get_many(self, essay_ids: Sequence[str]) -> list[Essay]:
        """Essays by id, row-locked until commit."""
        ...

    async def list_for_batch(self, batch_id: str) -> list[Essay]:
        """The batch's slots by slot index."""
        ...

    async def set_status(self, essay_id: str, status: EssayStatus, **fields: Any) -> None:
        """Change an essay's status (and result columns such as corrected_text_storage_id)."""
        ...

    async def append_history(self, entry: HistoryEntry) -> None:
        """Record a status change for the timeline."""
        ...

    async def append_histories(self, entries: Sequence[HistoryEntry]) -> None:
        """Record several status changes in one insert."""
        ...

    async def history(self, essay_id: str) -> list[HistoryEntry]:
        """An essay's status changes, oldest first."""
        ...


class PhaseRepository(Protocol):
    """Per-batch phases and each essay's outcome in them."""

    async def start(
        self,
        batch_id: str,
        phase: PhaseName,
        essays: Sequence[PhaseEssay],
        at: datetime,
        deadline: datetime,
    ) -> None:
        """(Re)start a phase in progress with exactly these essays, to end by `deadline`."""
        ...

    async def lock(self, batch_id: str, phase: PhaseName) -> PhaseRecord | None:
        """The phase, row-locked until commit (outcome decisions are serialised here)."""
        ...

    async def record_outcome(
        self,
        batch_id: str,
        phase: PhaseName,
        essay_id: str,
        outcome: OperationOutcome,
        output_storage_id: str | None,
        error_message: str | None,
    ) -> bool:
        """Store an essay's outcome once; False if it is not in the phase or already has one."""
        ...

    async def essays(self, batch_id: str, phase: PhaseName) -> list[PhaseEssay]:
        """The phase's essays and their outcomes."""
        ...

    async def finish(
        self, batch_id: str, phase: PhaseName, status: PhaseStatus, at: datetime
    ) -> None:
        """Close the phase with its final status."""
        ...

    async def overdue(self, phase: PhaseName, now: datetime, limit: int) -> list[str]:
        """Batches whose `phase` is in progress past its deadline, oldest deadline first."""
        ...

    async def any_started(self, batch_id: str) -> bool:
        """True once any phase of the batch has started (its essay set is then fixed)."""
        ...


class UnitOfWork(ConsumerUnitOfWork, Protocol):
    """One transaction: the inbox row, state changes and outbox events commit together."""

    batches: BatchRepository
    essays: EssayRepository
    phases: PhaseRepository
    uploads: UploadRepository
    erasure: ErasureStore


UnitOfWorkFactory = Callable[[], UnitOfWork]
