"""Tokenisation that keeps character offsets, and the rules for tokens that are never checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Letters and digits, joined by inner apostrophes or periods ("don't", "t.ex", "e.g").
_WORD = re.compile("[^\\W_]+(?:['\u2019.][^\\W_]+)*")
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|se|nu|io|edu)\b\S*"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SENTENCE_END = ".!?:…"
_OPENERS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb([{\u2013\u2014-*\u2022"


class Skip(StrEnum):
    """Why a token is not checked."""

    NUMBER = "number"
    URL_OR_EMAIL = "url_or_email"
    ACRONYM = "acronym"
    SINGLE_LETTER = "single_letter"
    NAME = "name"


@dataclass(frozen=True)
class Token:
    """A word of the text and where it stands: text[start:end] == word."""

    word: str
    start: int
    end: int
    sentence_initial: bool


def tokenize(text: str) -> list[Token]:
    """Every word-like token of the text with its offsets, URLs and emails included."""
    return [
        Token(m.group(), m.start(), m.end(), _is_sentence_initial(text, m.start()))
        for m in _WORD.finditer(text)
    ]


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of URLs and email addresses."""
    spans = [m.span() for m in _EMAIL.finditer(text)]
    spans += [m.span() for m in _URL.finditer(text)]
    return sorted(spans)


def skip_reason(
    token: Token, protected: list[tuple[int, int]], names: frozenset[str]
) -> Skip | None:
    """Why this token is not a candidate misspelling, or None when it must be checked."""
    word = token.word
    if any(start < token.end and token.start < end for start, end in protected):
        return Skip.URL_OR_EMAIL
    if any(ch.isdigit() for ch in word):
        return Skip.NUMBER
    letters = [ch for ch in word if ch.isalpha()]
    if len(letters) <= 1:
        return Skip.SINGLE_LETTER
    if len(letters) >= 2 and all(ch.isupper() for ch in letters):
        return Skip.ACRONYM
    if word[0].isupper() and (not token.sentence_initial or word in names):
        return Skip.NAME
    return None


def capitalised_mid_sentence(tokens: list[Token]) -> frozenset[str]:
    """Words written capitalised where no sentence starts: the text's own names."""
    return frozenset(t.word for t in tokens if t.word[0].isupper() and not t.sentence_initial)


def _is_sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in _OPENERS):
        if text[i] == "\n":
            return True
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END
