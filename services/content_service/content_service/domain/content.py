"""Content is addressed by the sha256 of its bytes, so a retry never duplicates.

A blob's id stays the hash of the bytes first stored under it, even after an erasure redacted
the student's name in it: storing those original bytes again finds the id taken and changes
nothing, so a late retry cannot bring the name back.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Protocol

CONTENT_ID_PATTERN = re.compile(r"^[0-9a-f]{64}$")
# Holders are batch ids (the platform's path-id form).
HOLDER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class StoredContent:
    """A blob and what is known about it."""

    content_id: str
    content_type: str
    data: bytes

    @property
    def size_bytes(self) -> int:
        """Length of the blob."""
        return len(self.data)


@dataclass(frozen=True)
class StoreResult:
    """The id of stored content and whether this call created it."""

    content_id: str
    content_type: str
    size_bytes: int
    created: bool


class ContentNotFound(Exception):
    """No content has this id."""


class EmptyContent(Exception):
    """Zero bytes are not content."""


class ContentTooLarge(Exception):
    """The blob exceeds the configured limit."""


class InvalidReference(Exception):
    """A holder or source id that is not of the accepted form (the message says which)."""


class SourceNotFound(Exception):
    """A derived blob names a source that does not exist (erased meanwhile, or never stored)."""


@dataclass(frozen=True)
class Provenance:
    """Who keeps a blob (a batch id) and which blob it was made from, when known."""

    holder: str | None = None
    derived_from: str | None = None


class ContentRepository(Protocol):
    """Where blobs live."""

    async def add_if_absent(self, content: StoredContent, provenance: Provenance) -> bool:
        """Store the blob unless its id exists, record holder and source; True if added.

        Raises SourceNotFound when `provenance.derived_from` names no stored blob.
        """
        ...

    async def get(self, content_id: str) -> StoredContent | None:
        """The blob with this id, if any."""
        ...


def content_id_for(data: bytes) -> str:
    """The content id of a blob: its sha256 in hex."""
    return hashlib.sha256(data).hexdigest()


class StoreContent:
    """Store a blob idempotently."""

    def __init__(self, repository: ContentRepository, max_bytes: int) -> None:
        self._repository = repository
        self._max_bytes = max_bytes

    async def execute(
        self, data: bytes, content_type: str | None, provenance: Provenance | None = None
    ) -> StoreResult:
        """Store `data`; the same bytes always give the same id and are stored once."""
        provenance = provenance or Provenance()
        if provenance.holder is not None and not HOLDER_PATTERN.match(provenance.holder):
            raise InvalidReference("holder")
        if provenance.derived_from is not None and not CONTENT_ID_PATTERN.match(
            provenance.derived_from
        ):
            raise InvalidReference("derived_from")
        if not data:
            raise EmptyContent
        if len(data) > self._max_bytes:
            raise ContentTooLarge
        content = StoredContent(
            content_id=content_id_for(data),
            content_type=(content_type or DEFAULT_CONTENT_TYPE).strip() or DEFAULT_CONTENT_TYPE,
            data=data,
        )
        created = await self._repository.add_if_absent(content, provenance)
        return StoreResult(content.content_id, content.content_type, content.size_bytes, created)


class FetchContent:
    """Read a blob by id."""

    def __init__(self, repository: ContentRepository) -> None:
        self._repository = repository

    async def execute(self, content_id: str) -> StoredContent:
        """The blob, or ContentNotFound (malformed ids are simply not found)."""
        if not CONTENT_ID_PATTERN.match(content_id):
            raise ContentNotFound
        content = await self._repository.get(content_id)
        if content is None:
            raise ContentNotFound
        return content
