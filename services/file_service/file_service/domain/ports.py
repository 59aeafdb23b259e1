"""Ports the upload use cases need; adapters implement them, tests fake them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from common_core.envelope import EventEnvelope
from common_core.internal_api import BatchPipelineStateV1


class BatchNotFound(Exception):
    """The batch does not exist or belongs to someone else (indistinguishable on purpose)."""


class BatchNotAcceptingFiles(Exception):
    """The batch exists but has started processing (or was closed)."""


class DependencyUnavailable(Exception):
    """A downstream service is down, slow, or its circuit is open."""

    def __init__(self, service: str, retry_after_seconds: float) -> None:
        super().__init__(f"{service} unavailable")
        self.service = service
        self.retry_after_seconds = retry_after_seconds


class BatchAccess(Protocol):
    """Asks the Batch Orchestrator whether a user may read or change a batch's files."""

    async def check(self, batch_id: str, user_id: str) -> BatchPipelineStateV1 | None:
        """The batch's state if its files may change (None when the check is switched off)."""
        ...

    async def check_owner(self, batch_id: str, user_id: str) -> BatchPipelineStateV1 | None:
        """The batch's state if the user owns it, whatever its state (reads); BatchNotFound."""
        ...


class ContentStore(Protocol):
    """Stores blobs in the Content Service."""

    async def store(self, data: bytes, content_type: str, holder: str | None = None) -> str:
        """Store bytes (idempotent) for `holder` (the batch keeping them); their content id."""
        ...


@dataclass(frozen=True)
class FileRecord:
    """One accepted file of a batch, as stored in the file service's database."""

    file_upload_id: str
    batch_id: str
    user_id: str
    original_file_name: str
    file_type: str
    content_sha256: str
    file_size_bytes: int
    raw_storage_id: str
    text_storage_id: str
    char_count: int
    word_count: int
    created_at: datetime | None = None
    # None only for files recorded before text fingerprints were stored.
    text_sha256: str | None = None


class FileRepository(Protocol):
    """File rows inside a unit of work."""

    async def lock_batch(self, batch_id: str) -> None:
        """Serialise changes to one batch's files until the transaction ends."""
        ...

    async def add(self, records: list[FileRecord]) -> None:
        """Insert accepted files."""
        ...

    async def get_active(self, batch_id: str, file_upload_id: str) -> FileRecord | None:
        """A file of the batch that has not been removed."""
        ...

    async def list_active(self, batch_id: str) -> list[FileRecord]:
        """The batch's files, oldest first."""
        ...

    async def mark_removed(self, file_upload_id: str) -> None:
        """Soft-delete a file (its blob stays: content is shared and immutable)."""
        ...


class UnitOfWork(Protocol):
    """One transaction: file rows and the events they cause commit together."""

    files: FileRepository

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def add_events(self, events: list[tuple[EventEnvelope[Any], str]]) -> None:
        """Queue (envelope, key) pairs in the outbox of this transaction."""
        ...

    async def commit(self) -> None:
        """Commit rows and outbox together."""
        ...
