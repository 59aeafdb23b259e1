"""The text fingerprint: one essay in any format has one, different essays never share one."""

from __future__ import annotations

import pytest

from file_service.domain.limits import ValidationLimits
from file_service.domain.text_fingerprint import normalise_for_comparison, text_fingerprint
from file_service.domain.validation import AcceptedFile, validate_file
from huleedu_testing.sample_files import docx_bytes, essay_text, odt_bytes, pdf_bytes, rtf_bytes

pytestmark = pytest.mark.unit

ESSAY = (
    "Namn: Jonas Lindqvist\n\n"
    "Why we should keep paper books\n\n"
    "Many people think that e\u2011books will replace paper books completely. I don\u2019t agree. "
    "A paper book doesn\u2019t need a battery, you can lend it to a friend, and it never asks "
    "you to \u201caccept the new terms\u201d before you can read the last chapter \u2013 which "
    "happened to my cousin last summer when her reading app updated itself in the middle of "
    "a holiday."
)


def accepted(filename: str, data: bytes) -> AcceptedFile:
    outcome = validate_file(filename, data, ValidationLimits(min_chars=100))
    assert isinstance(outcome, AcceptedFile), outcome
    return outcome


class TestNormalisation:
    def test_case_whitespace_quotes_dashes_and_ligatures_do_not_count(self) -> None:
        typeset = (
            "Ett \u201cbra\u201d exempel \u2013 d\u00e4r \ufb01nns  allt\n\n"
            "i \u2018sin\u2019 ordning."
        )
        plain = "ett \"BRA\" exempel - där finns allt i 'sin' ordning."
        assert normalise_for_comparison(typeset) == normalise_for_comparison(plain)
        assert text_fingerprint(typeset) == text_fingerprint(plain)

    @pytest.mark.parametrize(
        "other",
        [
            "Namn: Jonas Lindqvist\n\nWhy we should keep paper books\n\nMany people disagree.",
            ESSAY.replace("Jonas Lindqvist", "Maja Karlsson"),
            ESSAY.replace("battery", "charger"),
            ESSAY.replace("holiday.", "holiday!"),
        ],
    )
    def test_any_change_of_words_letters_or_punctuation_counts(self, other: str) -> None:
        assert text_fingerprint(other) != text_fingerprint(ESSAY)

    def test_the_fingerprint_is_a_sha256_hex_digest(self) -> None:
        fingerprint = text_fingerprint(ESSAY)
        assert len(fingerprint) == 64
        assert set(fingerprint) <= set("0123456789abcdef")


class TestOneEssayInEveryFormat:
    @pytest.mark.parametrize("lang", ["en", "sv"])
    def test_docx_and_pdf_of_one_essay_share_the_fingerprint_not_the_bytes(self, lang: str) -> None:
        text = essay_text(lang, 320, header="Namn: Åsa Öberg\nKlass: NA22b", seed=5)
        docx, pdf = (
            accepted("uppsats.docx", docx_bytes(text)),
            accepted("uppsats.pdf", pdf_bytes(text)),
        )

        assert docx.content_sha256 != pdf.content_sha256
        assert docx.text != pdf.text  # line breaks and typographic quotes differ ...
        assert docx.text_sha256 == pdf.text_sha256  # ... the essay does not

    def test_odt_and_rtf_of_the_same_essay_match_the_docx(self) -> None:
        text = essay_text("sv", 250, header="Namn: Erik Nyström", seed=9)
        fingerprints = {
            accepted(name, build(text)).text_sha256
            for name, build in (("e.docx", docx_bytes), ("e.odt", odt_bytes), ("e.rtf", rtf_bytes))
        }
        assert len(fingerprints) == 1

    def test_two_students_with_the_same_body_have_different_fingerprints(self) -> None:
        body = essay_text("en", 300, seed=2)
        first = accepted("a.docx", docx_bytes("Namn: Anna Berg\n\n" + body))
        second = accepted("b.pdf", pdf_bytes("Namn: Omar Haddad\n\n" + body))
        assert first.text_sha256 != second.text_sha256
