"""The essay's header: the first lines where students write name, email, class and course.

They are not prose, and they name the student: a flagged "misspelling" or grammar match there
would be the student's name, carried in the result event on Kafka (kept for the topic's
retention, where no erasure reaches it) and stored with the results. So the Spell Checker and
the Grammar Service report nothing there. A header line is
one of the first HEADER_LINES non-empty lines (as many as the File Service reads for the
student's name) that is labelled ("Namn: ...", "Class: ..."), holds an email, or is short and
does not end a sentence (a name, a class code, a title). Longer lines and sentences are prose;
a text without any prose line has no header (it is all essay, however short).
"""

from __future__ import annotations

import re

__all__ = ["HEADER_LINES", "header_spans", "in_header", "overlaps_header"]

HEADER_LINES = 6
MAX_HEADER_LINE_CHARS = 100
MAX_BARE_HEADER_WORDS = 8

_LABELLED = re.compile(r"^[^\W\d_][\w .-]{0,30}?\s*[:;\t]", re.UNICODE)
_EMAIL = re.compile(r"\S+@\S+\.\w{2,}")
_SENTENCE_END = re.compile(r"[.!?…]\s*$")


def _is_header_line(line: str) -> bool:
    stripped = line.strip().lstrip("#>*_ ").rstrip("*_ ")
    if len(stripped) > MAX_HEADER_LINE_CHARS:
        return False
    if _LABELLED.match(stripped) or _EMAIL.search(stripped):
        return True
    return len(stripped.split()) <= MAX_BARE_HEADER_WORDS and not _SENTENCE_END.search(stripped)


def header_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the header lines among the essay's first non-empty lines."""
    spans: list[tuple[int, int]] = []
    seen = 0
    offset = 0
    prose = False
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        if not line.strip():
            continue
        seen += 1
        header = _is_header_line(line)
        prose = prose or not header
        if header and seen <= HEADER_LINES:
            spans.append((start, start + len(line.rstrip("\r\n"))))
        elif prose and seen > HEADER_LINES:
            break
    return spans if prose else []


def in_header(start: int, spans: list[tuple[int, int]]) -> bool:
    """True when the character at `start` lies in one of the header's spans."""
    return any(begin <= start < end for begin, end in spans)


def overlaps_header(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """True when the characters [start, end) touch one of the header's spans."""
    return any(start < span_end and begin < end for begin, span_end in spans)
