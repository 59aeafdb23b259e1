"""Erasure in the Spell Checker: results go with `delete`, nothing changes with `keep`."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from common_core.enums import EssayErasureMode
from common_core.events import ErasedEssay, StudentErasureRequestedV1
from spellchecker_service.domain.erasure import erase_results

pytestmark = pytest.mark.unit


class Results:
    def __init__(self) -> None:
        self.deleted: list[tuple[str, str]] = []

    async def delete(self, essays: Sequence[tuple[str, str]]) -> int:
        self.deleted.extend(essays)
        return len(essays)


def erasure(mode: EssayErasureMode) -> StudentErasureRequestedV1:
    return StudentErasureRequestedV1(
        erasure_id="er",
        student_id="s",
        user_id="t",
        essay_mode=mode,
        essays=[
            ErasedEssay(batch_id="b", file_upload_id="u1", essay_id="e1"),
            ErasedEssay(batch_id="b", file_upload_id="u2"),  # not in a slot yet: no results
        ],
    )


async def test_delete_removes_the_results_of_essays_with_an_id() -> None:
    results = Results()
    assert await erase_results(erasure(EssayErasureMode.DELETE), results) == 1
    assert results.deleted == [("b", "e1")]


async def test_keep_changes_nothing() -> None:
    results = Results()
    assert await erase_results(erasure(EssayErasureMode.KEEP), results) == 0
    assert results.deleted == []
