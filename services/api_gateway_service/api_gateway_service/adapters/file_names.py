"""Files' real names per batch, from the File Service, kept while they answer every read.

A teacher's page polls the batch (and its essays) every few seconds; each answer names its
files by `file_upload_id`, and an upload's name never changes. So a batch's names are fetched
once and reused until an answer names a file the last listing did not cover (a new upload),
or the entry is older than `ttl_seconds`. Entries are per teacher (the listing was fetched
with their identity) and bounded in number; names are students' names, so the age bound
also bounds how long one stays in memory after its file is gone.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from api_gateway_service.domain.caller import Caller

__all__ = ["BatchFileNames", "FileLister"]


class FileLister(Protocol):
    """The File Service's list of a batch's files."""

    async def list_files(self, caller: Caller, batch_id: str) -> Any:
        """GET .../files: `{"batch_id", "files": [{"file_upload_id", "filename", ...}]}`."""
        ...


@dataclass(frozen=True)
class _Entry:
    names: Mapping[str, str]
    unnamed: frozenset[str]  # asked for at the last listing, not in it (removed, or no name)
    at: float

    def covers(self, wanted: frozenset[str]) -> bool:
        return all(i in self.names or i in self.unnamed for i in wanted)


def _names_in(listing: Any) -> dict[str, str]:
    files = listing.get("files") if isinstance(listing, Mapping) else None
    return {
        str(f["file_upload_id"]): str(f["filename"])
        for f in (files if isinstance(files, list) else [])
        if isinstance(f, Mapping) and f.get("file_upload_id") and f.get("filename")
    }


class BatchFileNames:
    """`file_upload_id -> name` of a teacher's batch; the File Service asked only when needed."""

    def __init__(
        self,
        files: FileLister,
        *,
        max_batches: int = 2000,
        ttl_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._files = files
        self._max = max_batches
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()

    async def names(
        self, caller: Caller, batch_id: str, wanted: frozenset[str]
    ) -> Mapping[str, str]:
        """Names of the batch's files covering `wanted`; raises what the File Service raised."""
        key = (caller.user_id, batch_id)
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry.at < self._ttl and entry.covers(wanted):
            self._entries.move_to_end(key)
            return entry.names
        names = _names_in(await self._files.list_files(caller, batch_id))
        self._entries[key] = _Entry(names, frozenset(i for i in wanted if i not in names), now)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return names
