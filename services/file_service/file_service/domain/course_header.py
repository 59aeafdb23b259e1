"""Find the course an essay names in its header: "Kurs: Engelska 6", "Course: English 5", "SV2".

Course forms (case-insensitive; a space, dot or hyphen before the number is optional, and so
is a leading zero):
- English 5-7: "ENG5", "Eng 5", "English 5", "Engelska 5", the official code "ENGENG05".
- Svenska 1-3: "SV1", "Sv 1", "Sve 1", "Svenska 1", "Swedish 1", the official code "SVESVE01".
- Svenska som andraspråk is its own subject and is never read as Svenska by its name alone
  ("Svenska som andraspråk", "SVA", "Swedish as a second language" name no course). With its
  level ("Svenska som andraspråk 2", "SvA 2", "SVA2", "SVASVA02") it is read as the Swedish
  course of that level (SV2): HuleEdu has no separate SVA courses, SVA n is assessed on the
  same kind of essays as Svenska n, and both give the same eligibility.
A word without its level ("Engelska", "Svenska") or with a level the subject does not have
("Engelska 1", "Svenska 5") names no course.

Where a course counts, in the header lines the student-header parser reads (never prose;
e-mail addresses are taken out first, "anna.sv1@skola.se" names no course):
1. a labelled value that starts with a course: "Kurs: Engelska 6", "Subject - ENG5";
2. a part of a line that is nothing but a course: "Åsa Öberg / NA22b / Svenska 1",
   "Svenska 1: argumenterande text", a line "English 5";
3. a compact code (ENG5, SV2, SVA1, ENGENG05) as a word of a line that is not a sentence:
   "Åsa Öberg NA22b ENG5".
The first labelled course wins; without one, the first course found line by line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from common_core.enums import CourseCode
from file_service.domain.header_lines import MAX_HEADER_LINE_CHARS, header_lines
from file_service.domain.header_words import COURSE_LABELS

_SWEDISH = (
    r"svenska\s+som\s+andra\s*spr[åa]k|swedish\s+as\s+a\s+second\s+language|svasva|sva"
    r"|svesve|svenska|swedish|sve|sv"
)
_ENGLISH = r"engeng|engelska|english|eng"
_ALNUM_BEFORE = r"(?<![^\W_])"
_LEVEL = r"[\s.\-]*0?(?P<level>\d)(?![^\W_])"
_COURSE = re.compile(
    rf"{_ALNUM_BEFORE}(?:(?P<sv>{_SWEDISH})|(?P<eng>{_ENGLISH})){_LEVEL}", re.IGNORECASE
)
# Codes written as one word; unlike "Eng 5" they cannot be part of an ordinary phrase.
_COMPACT = re.compile(
    rf"{_ALNUM_BEFORE}(?:(?P<sv>svasva|sva|svesve|sve|sv)|(?P<eng>engeng|eng))-?0?(?P<level>\d)"
    r"(?![^\W_])",
    re.IGNORECASE,
)
_LABELS = "|".join(re.escape(label) for label in sorted(COURSE_LABELS, key=len, reverse=True))
_LABELLED = re.compile(
    rf"^(?:{_LABELS})(?:\s*[:;\t\u2013\u2014-]\s*|\s+)(?P<value>.+)$", re.IGNORECASE
)
# Between the fields of a header line; a hyphen only with spaces round it ("Karl-Johan").
_FIELD_SEPARATORS = re.compile(r"\s*(?:[,;|/()\[\]\t\u2013\u2014]|\s-\s)\s*")
_PART_SEPARATORS = re.compile(r"\s*(?:[,;:|/()\[\]\t\u2013\u2014]|\s-\s)\s*")
_AROUND = " \t.,;:\"'\u00ab\u00bb\u201c\u201d\u2018\u2019()[]{}<>*_#"
_SENTENCE_END = ".!?"
# An address names a person, never a course ("anna.sv1@skola.se" is no SV1 essay).
_EMAIL = re.compile(r"\S+@\S+")


@dataclass(frozen=True)
class NamedCourse:
    """A course an essay's header names, with the words the student wrote."""

    code: CourseCode
    written: str


def find_course(text: str, max_lines: int = 6) -> NamedCourse | None:
    """The course named in the essay's first max_lines non-empty lines, or None."""
    lines = [
        _EMAIL.sub(" ", line).strip()
        for line in header_lines(text, max_lines)
        if len(line) <= MAX_HEADER_LINE_CHARS
    ]
    for line in lines:
        labelled = _labelled_course(line)
        if labelled is not None:
            return labelled
    for line in lines:
        bare = _bare_course(line)
        if bare is not None:
            return bare
    return None


def is_course_name(part: str) -> bool:
    """Whether a header part is nothing but a course ("Engelska 6", "SV2")."""
    match = _COURSE.fullmatch(part.strip(_AROUND))
    return match is not None and _code(match) is not None


def _labelled_course(line: str) -> NamedCourse | None:
    for field in _FIELD_SEPARATORS.split(line):
        labelled = _LABELLED.match(field.strip(_AROUND))
        if labelled is None:
            continue
        course = _COURSE.match(labelled.group("value"))
        if course is not None and (code := _code(course)) is not None:
            return NamedCourse(code, course.group().strip())
    return None


def _bare_course(line: str) -> NamedCourse | None:
    for part in _PART_SEPARATORS.split(line):
        course = _COURSE.fullmatch(part.strip(_AROUND))
        if course is not None and (code := _code(course)) is not None:
            return NamedCourse(code, course.group())
    if line.rstrip(_AROUND.replace(".", "")).endswith(tuple(_SENTENCE_END)):
        return None  # prose: "Jag fick A i ENG5." mentions a course, it does not name one
    for compact in _COMPACT.finditer(line):
        if (code := _code(compact)) is not None:
            return NamedCourse(code, compact.group())
    return None


def _code(match: re.Match[str]) -> CourseCode | None:
    level = int(match.group("level"))
    if match.group("sv") is not None and 1 <= level <= 3:
        return CourseCode(f"SV{level}")
    if match.group("eng") is not None and 5 <= level <= 7:
        return CourseCode(f"ENG{level}")
    return None
