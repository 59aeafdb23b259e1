"""Find the student's name and e-mail in the first lines of an essay.

Recognised, best first: an e-mail anywhere in the header (confidence 1.0); a labelled name,
"Namn: Anna Svensson" (0.9); a name next to a class code, "Anna Svensson, NA22b" (0.8); a bare
name as the short first line (0.5). Names are kept as written (misspellings and missing
diacritics included), except that "Svensson, Anna" (the surname-first order of Swedish class
lists) is turned into "Anna Svensson".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from file_service.domain.course_header import is_course_name
from file_service.domain.header_lines import MAX_HEADER_LINE_CHARS, header_lines
from file_service.domain.header_words import (
    FUZZY_NAME_LABELS,
    NAME_LABELS,
    NAME_PARTICLES,
    OTHER_LABELS,
    TITLE_SUFFIXES,
    TITLE_WORDS,
)

EMAIL_CONFIDENCE = 1.0
LABELLED_CONFIDENCE = 0.9
CLASS_CODE_CONFIDENCE = 0.8
BARE_NAME_CONFIDENCE = 0.5
_MAX_BARE_LINE = 40
_MAX_NAME_CHARS = 60

_EMAIL = re.compile(r"<?([\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,})>?")
_LABELS = "|".join(re.escape(label) for label in sorted(NAME_LABELS | OTHER_LABELS, key=len)[::-1])
# A label, then ":", ";", a tab or a dash, then the value; a single unknown word may be a typo.
_LABELLED = re.compile(
    rf"^(?P<label>{_LABELS}|[^\W\d_]+)\s*(?::|;|\t|[\u2013\u2014]|-(?=\s)|\s-)\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_NEXT_LABEL = re.compile(
    rf"(?:\s(?:{'|'.join(re.escape(label) for label in OTHER_LABELS)})\s*[:;]|\t).*$",
    re.IGNORECASE,
)
_PART_SEPARATORS = re.compile(r"\s*(?:[,;|/()\[\]\t\u2013\u2014]|\s-\s)\s*")
_CLASS_CODE = re.compile(r"^(?:klass\s+|class\s+)?[^\W\d_]{2,4}\s?\d{2}[^\W\d_]{0,2}$", re.I)
_WORD = re.compile(r"^[^\W\d_]+(?:['\u2019-][^\W\d_]+)*$")
_SEGMENT = re.compile("['\u2019-]")
_AROUND = " \t.,;:\"'\u00ab\u00bb\u201c\u201d\u2018\u2019()[]{}<>*_#"


@dataclass(frozen=True)
class ParsedHeader:
    """The student's name and e-mail found in an essay header, with a confidence of 0..1."""

    student_name: str | None
    student_email: str | None
    confidence: float


def parse_student_header(text: str, max_lines: int = 6) -> ParsedHeader:
    """The name and e-mail in the first max_lines non-empty lines of the essay."""
    lines = header_lines(text, max_lines)
    emails = [match.group(1).lower() for line in lines for match in _EMAIL.finditer(line)]
    email = emails[0] if emails else None
    named = [_EMAIL.sub(" ", line).strip() for line in lines]
    name, confidence = _find_name([line for line in named if len(line) <= MAX_HEADER_LINE_CHARS])
    if email is not None:
        confidence = EMAIL_CONFIDENCE
    return ParsedHeader(student_name=name, student_email=email, confidence=confidence)


def _find_name(lines: list[str]) -> tuple[str | None, float]:
    for line in lines:
        name = _labelled_name(line)
        if name is not None:
            return name, LABELLED_CONFIDENCE
    for line in lines:
        name = _name_beside_class_code(line)
        if name is not None:
            return name, CLASS_CODE_CONFIDENCE
    name = _bare_name(lines[0]) if lines else None
    if name is not None:
        return name, BARE_NAME_CONFIDENCE
    return None, 0.0


def _labelled_name(line: str) -> str | None:
    match = _LABELLED.match(line)
    if match is None or not _is_name_label(match.group("label")):
        return None
    parts, _ = _parts_without_codes(_NEXT_LABEL.sub("", match.group("value")))
    return _name_from_parts(parts, min_words=1, strict=False)


def _is_name_label(label: str) -> bool:
    label = " ".join(label.lower().split())
    if label in NAME_LABELS:
        return True
    if label in OTHER_LABELS or len(label) < 3:
        return False
    # Typing slips keep the first letter ("Nman", "Studnet"); "Game" is not "Name".
    return any(
        label[0] == known[0] and _within_one_edit(label, known) for known in FUZZY_NAME_LABELS
    )


def _name_beside_class_code(line: str) -> str | None:
    parts, has_class_code = _parts_without_codes(line)
    return _name_from_parts(parts, min_words=2, strict=True) if has_class_code else None


def _bare_name(line: str) -> str | None:
    if len(line) > _MAX_BARE_LINE or any(char in line for char in "?!:"):
        return None
    parts, _ = _parts_without_codes(line)
    return _name_from_parts(parts, min_words=2, strict=True)


def _parts_without_codes(line: str) -> tuple[list[str], bool]:
    """The line's parts without class codes, courses and dates; was a class code there?"""
    parts: list[str] = []
    has_class_code = False
    for part in _parts(line):
        if is_course_name(part):
            continue  # "Anna Svensson, Engelska 6": the course is not part of the name
        # "Anna Svensson NA22b 2024-05-01": codes and dates may follow a name without a comma.
        words: list[str] = []
        for word in part.split():
            if _CLASS_CODE.match(word):
                has_class_code = True
            elif not any(char.isdigit() for char in word):
                words.append(word)
        if _CLASS_CODE.match(part):
            has_class_code = True
        elif words:
            parts.append(" ".join(words))
    return parts, has_class_code


def _parts(text: str) -> list[str]:
    parts = (part.strip(_AROUND) for part in _PART_SEPARATORS.split(text))
    return [part for part in parts if part]


def _name_from_parts(parts: list[str], *, min_words: int, strict: bool) -> str | None:
    """One name part, or "Surname, Given names" turned round; else None."""
    if len(parts) == 2 and len(parts[0].split()) == 1 and len(parts[1].split()) <= 2:
        candidate = f"{parts[1]} {parts[0]}"
    elif len(parts) == 1 or (parts and not strict):
        candidate = parts[0]
    else:
        return None
    words = candidate.split()
    if not min_words <= len(words) <= 4 or len(candidate) > _MAX_NAME_CHARS:
        return None
    if not all(_is_name_word(word, i, len(words), strict) for i, word in enumerate(words)):
        return None
    return " ".join(words)


def _is_name_word(word: str, position: int, count: int, strict: bool) -> bool:
    if not _WORD.match(word):
        return False
    if 0 < position < count - 1 and word in NAME_PARTICLES:
        return True
    folded = word.casefold()
    if folded in TITLE_WORDS:
        return False
    if not strict:
        return True
    if any(folded.endswith(suffix) and len(folded) > len(suffix) + 2 for suffix in TITLE_SUFFIXES):
        return False
    return all(_capitalised(segment) for segment in _SEGMENT.split(word) if segment)


def _capitalised(segment: str) -> bool:
    return segment[0].isupper() and (len(segment) == 1 or not segment.isupper())


def _within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1: one substitution, insertion, deletion or swap."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) <= 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return short[i:] == long[i + 1 :]
