"""Real file names in result answers: events carry labels, the File Service keeps the names.

Uploaded file names are usually students' names, so the bus, and with it the Result
Aggregator's views, only ever sees labels (`essay-<id>.<ext>`). A teacher reading results gets
the real names back at the edge, from the File Service's list of the batch's files: they
never land anywhere on the way. If the File Service cannot answer, the labels stay: a results
read never fails for a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import structlog

from api_gateway_service.domain.caller import Caller
from huleedu_service_libs.errors import HuleEduError

__all__ = ["FileLister", "with_file_names"]

logger = structlog.get_logger(__name__)


class FileLister(Protocol):
    """The File Service's list of a batch's files."""

    async def list_files(self, caller: Caller, batch_id: str) -> Any:
        """GET .../files: `{"batch_id", "files": [{"file_upload_id", "filename", ...}]}`."""
        ...


def _items(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    essays = data.get("essays")
    return (
        [data, *(e for e in essays if isinstance(e, Mapping))]
        if isinstance(essays, list)
        else [data]
    )


def _renamed(item: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    upload = item.get("file_upload_id")
    if isinstance(upload, str) and upload in names:
        return {**item, "filename": names[upload]}
    return dict(item)


async def with_file_names(files: FileLister, caller: Caller, batch_id: str, data: Any) -> Any:
    """A batch, essay or essay-text answer with each file's label replaced by its name."""
    if not isinstance(data, Mapping):
        return data  # not the contract: the caller's validation answers 502
    if not any(item.get("file_upload_id") for item in _items(data)):
        return data
    try:
        listing = await files.list_files(caller, batch_id)
    except HuleEduError as exc:
        logger.warning("gateway.file_names_unavailable", batch_id=batch_id, code=str(exc.code))
        return data
    names = {
        str(f["file_upload_id"]): str(f["filename"])
        for f in (listing.get("files") or [] if isinstance(listing, Mapping) else [])
        if isinstance(f, Mapping) and f.get("file_upload_id") and f.get("filename")
    }
    renamed = _renamed(data, names)
    if isinstance(data.get("essays"), list):
        renamed["essays"] = [
            _renamed(e, names) if isinstance(e, Mapping) else e for e in data["essays"]
        ]
    return renamed
