"""Who wrote an essay: the parsed header against the class roster, with a confidence of 0..1.

Pure logic, no I/O. `match_author(name, email, roster)` returns the best student (or None),
a confidence and the method. Placeholder students (a class's UNKNOWN) are never candidates.

Scoring, in order:

1. **Email.** The header's email, trimmed and lower-cased, equal to a roster student's email:
   that student, confidence 1.0, method `email_match`. Emails are unique per teacher, so no
   other evidence can beat or contradict it.
2. **Names.** Both sides are normalised: labels ("Name:", "Namn:", "Elev:"), titles ("Mr",
   "Fru"), punctuation and tokens with digits (class codes, dates) are dropped, text is
   case-folded, hyphens split ("Lindqvist-Berg" -> lindqvist, berg), whitespace collapsed.
   Every token is kept twice: as written and with diacritics folded (å/ä -> a, ö/ø -> o,
   é -> e, ü -> u, æ -> ae, ß -> ss). Two tokens score 1.0 when equal as written, 0.97 when
   equal only once folded ("Asa" for "Åsa": usual on English keyboards, yet the exact form
   should win a tie), 0.6 for an initial ("A." for "Anna"), otherwise rapidfuzz's `ratio` on
   the folded forms minus 0.1 (a typo), or 0 below 0.75 (a different name: "Erik"/"Eriksson").
   A name part (the student's first names, or last names) scores its best token match
   (0.8 of it) plus the mean of all its tokens (0.2), so an unmentioned middle name or one
   half of a double surname costs a little. Tokens are compared regardless of order, which
   handles "Öberg, Åsa" and "Oberg Asa".
   - first and last name both found: their mean, minus 0.05 per extra header token (a middle
     name the roster does not have);
   - only one part found and the header says nothing else: 0.76 of it (a first or last name
     alone is decent evidence in one class, but weaker than a full name);
   - only one part found and the header names someone else besides ("Erik Nilsson" against
     "Erik Johansson"): half of it, i.e. evidence against;
   - a single run-together token ("annasvensson", "asvensson" from an email) is also
     compared with the student's joined forms (first+last, last+first, initial+last) with
     rapidfuzz's `ratio`, at 0.9 of it (0.8 for initial+last).
   Names are not identifiers, so a perfect name scores at most 0.95 (`NAME_CEILING`).
3. **Email as name evidence.** When the email matches no roster student, its local part
   ("anna.svensson", "asa_oberg2") is scored like a name, at 0.9 of the result; each student
   keeps the better of the written name and the email-derived name.
4. **Ambiguity.** If the runner-up is within 0.15 of the best, the best loses up to 0.5
   (the full 0.5 for a tie, nothing at a 0.15 gap): two "Erik"s for a header saying "Erik"
   fall far below the 0.7 the timeout monitor keeps.
5. **No match.** A confidence below 0.5 suggests nobody: student None, the best candidate's
   confidence (0 when there is none), method `name_match`.

The File Service's own extraction confidence is deliberately not multiplied in: a bare first
line it was unsure about is very likely a name once it matches a roster name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from class_management_service.domain.models import UNKNOWN_STUDENT_DOMAIN, Student
from common_core.enums import AssociationMethod

EMAIL_CONFIDENCE = 1.0
NAME_CEILING = 0.95
DIACRITICS_ONLY = 0.97
INITIAL = 0.6
TYPO_FLOOR = 0.75
TYPO_PENALTY = 0.1
BEST_TOKEN_WEIGHT = 0.8
EXTRA_TOKEN_PENALTY = 0.05
SINGLE_PART = 0.76
JOINED = 0.9
JOINED_INITIAL = 0.8
JOINED_FLOOR = 0.85
EMAIL_NAME = 0.9
AMBIGUITY_MARGIN = 0.15
AMBIGUITY_PENALTY = 0.5
SUGGEST_FLOOR = 0.5

_LABEL_WORDS = frozenset(
    {
        *("name", "names", "namn", "elev", "elevens", "eleven", "elevnamn", "student"),
        *("students", "author", "författare", "full", "fullt", "förnamn", "efternamn"),
        *("och", "skriven", "skrivet", "written", "by", "av"),
    }
)
_NOISE_WORDS = frozenset({"mr", "mrs", "ms", "miss", "dr", "herr", "fru", "klass", "class"})
_LEADING_LABEL = re.compile(r"^\s*([^\W\d_]+(?:\s+[^\W\d_]+){0,3})\s*[:;]\s*")
_APOSTROPHES = re.compile("['\u2019\u00b4`]")
_NOT_LETTER = re.compile(r"[^\w]|_")
_LOCAL_PART_SEPARATORS = re.compile(r"[._+\-]+")
_FOLDED_LETTERS = str.maketrans(
    {
        **{"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th"},
        **{"Ø": "O", "Æ": "Ae", "Œ": "Oe", "Ł": "L", "Đ": "D", "Ð": "D", "Þ": "Th"},
        "\u0131": "i",  # dotless i (Turkish)
    }
)


@dataclass(frozen=True, slots=True)
class AuthorMatch:
    """The suggested author of one essay (None when nobody is likely enough)."""

    student: Student | None
    confidence: float
    method: AssociationMethod


@dataclass(frozen=True, slots=True)
class _Token:
    raw: str  # case-folded, diacritics kept
    folded: str  # diacritics folded too


def fold_diacritics(text: str) -> str:
    """The text without diacritics: "Åsa Öberg" -> "Asa Oberg", "Müller" -> "Muller"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDED_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLDED_LETTERS)


def normalise_email(email: str) -> str:
    """An email as compared: without "mailto:" and angle brackets, trimmed, lower-cased."""
    value = email.strip().strip("<>").strip().lower()
    return value.removeprefix("mailto:").strip()


def name_tokens(text: str) -> list[str]:
    """Normalised name words: no label, titles, digits or punctuation; case-folded."""
    label = _LEADING_LABEL.match(text)
    if label is not None and all(w in _LABEL_WORDS for w in label.group(1).casefold().split()):
        text = text[label.end() :]
    words = _NOT_LETTER.sub(" ", _APOSTROPHES.sub("", text.casefold())).split()
    return [w for w in words if not any(c.isdigit() for c in w) and w not in _NOISE_WORDS]


def _tokens(text: str) -> list[_Token]:
    return [_Token(w, fold_diacritics(w)) for w in name_tokens(text)]


def _email_name_tokens(email: str) -> list[_Token]:
    local = normalise_email(email).partition("@")[0]
    words = " ".join(_LOCAL_PART_SEPARATORS.split(local))
    return [t for t in _tokens(words) if len(t.folded) > 1 or len(words.split()) > 1]


def _token_similarity(a: _Token, b: _Token) -> float:
    if a.raw == b.raw:
        return 1.0
    if a.folded == b.folded:
        return DIACRITICS_ONLY
    if len(a.folded) == 1 or len(b.folded) == 1:
        return INITIAL if a.folded[0] == b.folded[0] else 0.0
    ratio = fuzz.ratio(a.folded, b.folded) / 100
    return ratio - TYPO_PENALTY if ratio >= TYPO_FLOOR else 0.0


def _part_similarity(part: Sequence[_Token], header: Sequence[_Token], used: set[int]) -> float:
    """How well the header mentions one name part; marks the header tokens it used."""
    if not part:
        return 0.0
    bests: list[float] = []
    for token in part:
        scored = [(_token_similarity(token, h), i) for i, h in enumerate(header)]
        best, index = max(scored, default=(0.0, -1))
        if best > 0:
            used.add(index)
        bests.append(best)
    top = max(bests)
    if len(bests) == 1 or top == 0:
        return top
    return BEST_TOKEN_WEIGHT * top + (1 - BEST_TOKEN_WEIGHT) * sum(bests) / len(bests)


def _joined_similarity(token: _Token, first: Sequence[_Token], last: Sequence[_Token]) -> float:
    """A run-together header token against the student's joined name forms."""
    if not first or not last or len(token.folded) < 5:
        return 0.0
    f = "".join(t.folded for t in first)
    ln = "".join(t.folded for t in last)
    forms = ((f + ln, JOINED), (ln + f, JOINED), (f[0] + ln, JOINED_INITIAL))
    best = 0.0
    for form, weight in forms:
        ratio = fuzz.ratio(token.folded, form) / 100
        if ratio >= JOINED_FLOOR:
            best = max(best, weight * (ratio if ratio == 1.0 else ratio - TYPO_PENALTY))
    return best


def name_similarity(header: Sequence[_Token], student: Student) -> float:
    """0..NAME_CEILING: how well header tokens name the student (see the module docstring)."""
    if not header:
        return 0.0
    first, last = _tokens(student.first_name), _tokens(student.last_name)
    used: set[int] = set()
    f = _part_similarity(first, header, used)
    ln = _part_similarity(last, header, used)
    extra = len(header) - len(used)
    if f > 0 and ln > 0:
        score = (f + ln) / 2 - EXTRA_TOKEN_PENALTY * extra
    elif f > 0 or ln > 0:
        score = SINGLE_PART * max(f, ln) if extra == 0 else max(f, ln) / 2
    else:
        score = 0.0
    if len(header) == 1:
        score = max(score, _joined_similarity(header[0], first, last))
    return NAME_CEILING * min(max(score, 0.0), 1.0)


def _candidates(roster: Sequence[Student]) -> list[Student]:
    return [
        s
        for s in roster
        if not s.is_placeholder and not s.email.lower().endswith("@" + UNKNOWN_STUDENT_DOMAIN)
    ]


def _with_ambiguity(scored: list[tuple[float, Student]]) -> tuple[float, Student | None]:
    """The best score, lowered when the runner-up is close; None below the suggest floor."""
    if not scored:
        return 0.0, None
    scored.sort(key=lambda pair: pair[0], reverse=True)
    best, student = scored[0]
    second = scored[1][0] if len(scored) > 1 else 0.0
    margin = best - second
    if margin < AMBIGUITY_MARGIN:
        best -= AMBIGUITY_PENALTY * (1 - margin / AMBIGUITY_MARGIN)
    confidence = round(min(max(best, 0.0), 1.0), 4)
    return confidence, student if confidence >= SUGGEST_FLOOR else None


def match_author(name: str | None, email: str | None, roster: Sequence[Student]) -> AuthorMatch:
    """The likeliest author of an essay among the roster, from its parsed header."""
    candidates = _candidates(roster)
    if email:
        wanted = normalise_email(email)
        for student in candidates:
            if normalise_email(student.email) == wanted:
                return AuthorMatch(student, EMAIL_CONFIDENCE, AssociationMethod.EMAIL_MATCH)
    written = _tokens(name) if name else []
    from_email = _email_name_tokens(email) if email else []
    scored: list[tuple[float, Student]] = []
    for student in candidates:
        score = max(
            name_similarity(written, student),
            EMAIL_NAME * name_similarity(from_email, student),
        )
        if score > 0:
            scored.append((score, student))
    confidence, best = _with_ambiguity(scored)
    return AuthorMatch(best, confidence, AssociationMethod.NAME_MATCH)
