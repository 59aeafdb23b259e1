"""Redaction of texts and the erasure use case's checks (no database)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from content_service.domain import (
    EraseContent,
    ErasureResult,
    InvalidReference,
    Redact,
    StoredContent,
    redactor,
)
from content_service.domain.erasure import MASK, redact_text, terms_pattern

pytestmark = pytest.mark.unit

TEXT = (
    "Namn: Åsa Öberg\nasa.oberg@elev.skola.se\n\n"
    "Jag heter Åsa och Åsas bror heter Erik. ÅSA ÖBERG skrev detta. Åsalund är en ort."
)
TERMS = ["Åsa Öberg", "Åsa", "Öberg", "asa.oberg@elev.skola.se"]


def content(data: bytes, content_type: str = "text/plain; charset=utf-8") -> StoredContent:
    return StoredContent(content_id="c" * 64, content_type=content_type, data=data)


class TestRedaction:
    def test_every_form_of_the_name_and_the_email_is_masked(self) -> None:
        pattern = terms_pattern(TERMS)
        assert pattern is not None
        redacted = redact_text(TEXT, pattern)
        for gone in ("Åsa", "Öberg", "ÅSA", "ÖBERG", "asa.oberg@elev.skola.se", "Åsas"):
            assert gone not in redacted.replace("Åsalund", ""), gone
        assert "Åsalund" in redacted  # part of another word: not the student's name
        assert "Erik" in redacted

    def test_length_and_offsets_are_kept(self) -> None:
        pattern = terms_pattern(TERMS)
        assert pattern is not None
        redacted = redact_text(TEXT, pattern)
        assert len(redacted) == len(TEXT)
        start = TEXT.index("Erik")
        assert redacted[start : start + 4] == "Erik"
        assert redacted[6:15] == f"{MASK * 3} {MASK * 5}"

    def test_names_split_across_spaces_or_lines_are_found(self) -> None:
        pattern = terms_pattern(["Åsa Öberg"])
        assert pattern is not None
        assert "Öberg" not in redact_text("Åsa\n  Öberg", pattern)

    def test_no_terms_means_no_pattern(self) -> None:
        assert terms_pattern(["", "  "]) is None

    def test_text_blobs_are_redacted_others_cannot_be(self) -> None:
        redact = redactor(TERMS)
        redacted = redact(content(TEXT.encode()))
        assert redacted is not None
        assert "Öberg".encode() not in redacted
        assert redact(content(b"PK\x03\x04...", "application/vnd.openxmlformats")) is None
        assert redact(content(b"\xff\xfe not utf-8")) is None


class RecordingErasure:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str], list[str]]] = []

    async def erase(
        self, holder: str, delete_ids: Sequence[str], redact_ids: Sequence[str], redact: Redact
    ) -> ErasureResult:
        self.calls.append((holder, list(delete_ids), list(redact_ids)))
        return ErasureResult(deleted=len(delete_ids), redacted=len(redact_ids))


class TestEraseContent:
    async def test_an_id_both_deleted_and_redacted_is_only_deleted(self) -> None:
        repo = RecordingErasure()
        a, b = "a" * 64, "b" * 64
        await EraseContent(repo, 10).execute("batch-1", [a, a], [a, b], ["Åsa"])
        assert repo.calls == [("batch-1", [a], [b])]

    @pytest.mark.parametrize(
        ("holder", "delete", "redact", "terms", "field"),
        [
            ("../x", [], [], [], "holder"),
            ("batch-1", ["nope"], [], [], "delete"),
            ("batch-1", [], ["nope"], ["Åsa"], "redact"),
            ("batch-1", ["a" * 64] * 11, [], [], "delete"),
            ("batch-1", [], ["a" * 64], [" "], "terms"),
        ],
    )
    async def test_bad_requests_touch_nothing(
        self, holder: str, delete: list[str], redact: list[str], terms: list[str], field: str
    ) -> None:
        repo = RecordingErasure()
        with pytest.raises(InvalidReference, match=field):
            await EraseContent(repo, 10).execute(holder, delete, redact, terms)
        assert repo.calls == []
