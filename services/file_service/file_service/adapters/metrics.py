"""Business metrics of the File Service (documentation/metrics.md): records the uploads'
observations after their transaction committed."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter

from file_service.domain.file_types import FileType
from file_service.domain.observations import Observation

__all__ = ["ESSAYS_REJECTED", "ESSAYS_UPLOADED", "record"]

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


def record(observations: Sequence[Observation]) -> None:
    """Count committed uploads' accepted files by type and rejected files by code."""
    for seen in observations:
        for file_type in seen.accepted_types:
            ESSAYS_UPLOADED.labels(file_type).inc()
        for code in seen.rejected_codes:
            ESSAYS_REJECTED.labels(code.value).inc()
