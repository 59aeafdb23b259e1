"""The metrics adapter counts committed uploads' observations under the documented names."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from common_core.errors import ErrorCode
from file_service.adapters import metrics
from file_service.domain.observations import UploadCommitted

pytestmark = pytest.mark.unit


def _counts() -> tuple[float, float]:
    uploaded = REGISTRY.get_sample_value("huleedu_essays_uploaded_total", {"file_type": "docx"})
    rejected = REGISTRY.get_sample_value(
        "huleedu_essays_rejected_total", {"error_code": "EMPTY_FILE"}
    )
    return uploaded or 0.0, rejected or 0.0


def test_committed_files_are_counted_by_type_and_rejection_code() -> None:
    before = _counts()
    metrics.record([UploadCommitted(("docx", "docx"), (ErrorCode.EMPTY_FILE,))])
    after = _counts()
    assert (after[0] - before[0], after[1] - before[1]) == (2, 1)


def test_every_file_type_series_exists_from_the_start() -> None:
    assert (
        REGISTRY.get_sample_value("huleedu_essays_uploaded_total", {"file_type": "rtf"}) is not None
    )
