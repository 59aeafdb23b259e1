"""Header lines (name, email, class) are never spell checked: a flag there is the student's name."""

from __future__ import annotations

import pytest

from spellchecker_service.adapters.english_checker import EnglishChecker
from spellchecker_service.domain.checking import check_text
from spellchecker_service.domain.essay_header import header_spans
from spellchecker_service.domain.rules import ENGLISH

pytestmark = pytest.mark.unit

BODY = (
    "My school is big and we have many lessons every day, and I like it very much because "
    "my friends are there.\nIt is a gud school."
)


@pytest.mark.parametrize(
    "header",
    [
        "Namn: Åsa Öberg\nKlass: NA22b",
        "Åsa Öberg, NA22b",
        "Åsa Öberg\nasa.oberg@elev.skola.se",
        "Kvarnström, Linnea",
        "Författare: Linnea Kvarnström",
        "linnea kvarnström\nEngelska 5",
    ],
)
def test_names_in_the_header_are_not_flagged_but_the_body_is_checked(
    english: EnglishChecker, header: str
) -> None:
    report = check_text(f"{header}\n\n{BODY}", english, ENGLISH)
    assert [m.word for m in report.misspellings] == ["gud"]
    assert report.corrected_text.startswith(header)


def test_without_the_skip_the_same_header_would_be_flagged(english: EnglishChecker) -> None:
    # The reason for the rule: an English dictionary flags Swedish names and labels. After the
    # first six lines nothing is header any more.
    text = f"{BODY}\n{BODY}\n{BODY}\nNamn: Åsa Öberg\nKlass: NA22b"
    report = check_text(text, english, ENGLISH)
    assert {"Namn", "Klass"} <= {m.word for m in report.misspellings}


def test_only_short_lines_among_the_first_six_are_header() -> None:
    lines = ["Åsa Öberg", "", "A short title", "This line is a sentence.", "x " * 60]
    text = "\n".join([*lines, "fifth", "sixth", "seventh"])
    spans = [text[a:b] for a, b in header_spans(text)]
    assert spans == ["Åsa Öberg", "A short title", "fifth", "sixth"]


def test_a_text_without_prose_has_no_header(english: EnglishChecker) -> None:
    assert header_spans("We read alot") == []
    assert [m.word for m in check_text("We read alot", english, ENGLISH).misspellings] == ["alot"]
