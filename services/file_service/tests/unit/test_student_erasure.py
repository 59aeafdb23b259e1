"""A student's erasure in the File Service, over fakes: rows, labels and Content Service calls."""

from __future__ import annotations

import json

import pytest

from common_core.enums import EssayErasureMode
from common_core.events import ErasedEssay, StudentErasureRequestedV1
from file_service.domain.erasure import UnreadableTerms, erase_student_files
from huleedu_service_libs.crypto import KeyRing, generate_key

from .erasure_fakes import TEACHER, FakeContent, files

pytestmark = pytest.mark.unit

KEYS = KeyRing(generate_key())


def event(mode: EssayErasureMode, terms: list[str] | None = None) -> StudentErasureRequestedV1:
    sealed = KEYS.encrypt_text(json.dumps(terms)) if terms is not None else None
    return StudentErasureRequestedV1(
        erasure_id="er-1",
        student_id="s-1",
        user_id=TEACHER,
        essay_mode=mode,
        essays=[
            ErasedEssay(batch_id=b, file_upload_id=u)
            for b, u in (("b1", "u1"), ("b2", "u2"), ("b1", "u3"), ("b9", "foreign"))
        ],
        redaction_terms_ciphertext=sealed,
    )


async def test_delete_lets_each_batch_go_of_its_blobs_then_drops_the_rows() -> None:
    rows, content = files(), FakeContent()

    done = await erase_student_files(event(EssayErasureMode.DELETE), rows, content, KEYS)

    assert (done.files, done.batches) == (3, 2)
    assert content.calls == [
        ("b1", ["raw-u1", "raw-u3", "text-u1", "text-u3"], [], []),
        ("b2", ["raw-u2", "text-u2"], [], []),
    ]
    assert sorted(rows.deleted) == ["u1", "u2", "u3"]
    assert set(rows.rows) == {"other-student", "foreign"}  # not theirs / not this teacher's


async def test_keep_redacts_texts_lets_raw_files_go_and_renames_to_labels() -> None:
    rows, content = files(), FakeContent()

    await erase_student_files(
        event(EssayErasureMode.KEEP, ["Åsa Öberg", "Åsa"]), rows, content, KEYS
    )

    assert content.calls == [
        ("b1", ["raw-u1", "raw-u3"], ["text-u1", "text-u3"], ["Åsa Öberg", "Åsa"]),
        ("b2", ["raw-u2"], ["text-u2"], ["Åsa Öberg", "Åsa"]),
    ]
    assert rows.deleted == []
    assert rows.rows["u1"][1].original_file_name == "essay-u1.docx"
    assert rows.rows["other-student"][1].original_file_name.startswith("Åsa Öberg")


async def test_keep_without_terms_still_lets_the_raw_files_go() -> None:
    rows, content = files(), FakeContent()
    await erase_student_files(event(EssayErasureMode.KEEP), rows, content, KEYS)
    assert content.calls == [("b1", ["raw-u1", "raw-u3"], [], []), ("b2", ["raw-u2"], [], [])]


async def test_terms_sealed_with_another_key_are_unreadable_and_nothing_changes() -> None:
    rows, content = files(), FakeContent()
    with pytest.raises(UnreadableTerms):
        await erase_student_files(
            event(EssayErasureMode.KEEP, ["Åsa"]), rows, content, KeyRing(generate_key())
        )
    assert (content.calls, rows.deleted) == ([], [])
