"""The essay header's spans, and which character ranges touch them (the Grammar Service's
matches, which span several words)."""

from __future__ import annotations

from huleedu_service_libs.essay_header import header_spans, in_header, overlaps_header

ESSAY = "Namn: Anna Berg\nKlass: 9B\n\nMy school is big and we have many lessons every day."


def test_the_labelled_lines_are_the_header() -> None:
    spans = header_spans(ESSAY)
    assert [ESSAY[a:b] for a, b in spans] == ["Namn: Anna Berg", "Klass: 9B"]
    assert in_header(ESSAY.index("Anna"), spans)
    assert not in_header(ESSAY.index("school"), spans)


def test_a_range_touching_a_header_line_overlaps_it() -> None:
    spans = header_spans(ESSAY)
    name = ESSAY.index("Berg")
    assert overlaps_header(name, name + 4, spans)
    # From the last header line into the body: still names the class, so it overlaps.
    assert overlaps_header(ESSAY.index("9B"), ESSAY.index("school"), spans)
    body = ESSAY.index("My school")
    assert not overlaps_header(body, body + 9, spans)
    # The newline after a header line is not part of it.
    assert not overlaps_header(ESSAY.index("\n\n") + 1, ESSAY.index("\n\n") + 2, spans)


def test_a_text_without_prose_has_no_header() -> None:
    assert header_spans("Namn: Anna Berg\nKlass: 9B") == []
