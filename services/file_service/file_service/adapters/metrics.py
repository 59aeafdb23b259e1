"""Business metrics of the File Service (documentation/metrics.md), counted after an upload's
transaction committed."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter

from common_core.errors import ErrorCode
from file_service.domain.file_types import FileType

__all__ = ["ESSAYS_REJECTED", "ESSAYS_UPLOADED", "upload_committed"]

ESSAYS_UPLOADED = Counter(
    "huleedu_essays_uploaded_total",
    "Essay files accepted into a batch, by file type",
    ["file_type"],
)
ESSAYS_REJECTED = Counter(
    "huleedu_essays_rejected_total", "Essay files rejected, by error code", ["error_code"]
)
# Every series of these bounded labels exists from the start (rate() needs the zero).
for _file_type in FileType:
    ESSAYS_UPLOADED.labels(_file_type.value)


def upload_committed(accepted_types: Sequence[str], rejected_codes: Sequence[ErrorCode]) -> None:
    """Count one committed upload's accepted files by type and rejected files by code."""
    for file_type in accepted_types:
        ESSAYS_UPLOADED.labels(file_type).inc()
    for code in rejected_codes:
        ESSAYS_REJECTED.labels(code.value).inc()
