"""Result answers get files' real names back at the edge; labels stay when they cannot."""

from __future__ import annotations

from typing import Any

import pytest

from api_gateway_service.adapters.downstream import Caller
from api_gateway_service.api.file_names import with_file_names
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError

pytestmark = pytest.mark.unit

CALLER = Caller("teacher-1", "corr-1")


class Files:
    def __init__(self, answer: Any = None, error: HuleEduError | None = None) -> None:
        self.answer = answer
        self.error = error
        self.calls: list[str] = []

    async def list_files(self, caller: Caller, batch_id: str) -> Any:
        self.calls.append(batch_id)
        if self.error is not None:
            raise self.error
        return self.answer


LISTING = {
    "batch_id": "b1",
    "files": [
        {"file_upload_id": "u1", "filename": "Åsa Öberg.docx"},
        {"file_upload_id": "u2", "filename": "erik.pdf"},
    ],
}
BATCH = {
    "batch_id": "b1",
    "essays": [
        {"essay_id": "e1", "file_upload_id": "u1", "filename": "essay-u1.docx"},
        {"essay_id": "e2", "file_upload_id": "gone", "filename": "essay-gone.pdf"},
        {"essay_id": "e3", "file_upload_id": None, "filename": None},
    ],
}


async def test_labels_become_the_files_names() -> None:
    named = await with_file_names(Files(LISTING), CALLER, "b1", BATCH)
    assert [e["filename"] for e in named["essays"]] == ["Åsa Öberg.docx", "essay-gone.pdf", None]
    essay = await with_file_names(Files(LISTING), CALLER, "b1", BATCH["essays"][0])
    assert essay["filename"] == "Åsa Öberg.docx"


async def test_without_the_file_service_the_labels_stay() -> None:
    down = Files(error=HuleEduError(ErrorCode.SERVICE_UNAVAILABLE, "down"))
    assert await with_file_names(down, CALLER, "b1", BATCH) == BATCH


async def test_answers_without_files_cost_no_call() -> None:
    files = Files(LISTING)
    empty = {"batch_id": "b1", "essays": []}
    assert await with_file_names(files, CALLER, "b1", empty) == empty
    assert await with_file_names(files, CALLER, "b1", ["not", "a", "batch"]) == [
        "not",
        "a",
        "batch",
    ]
    assert files.calls == []
