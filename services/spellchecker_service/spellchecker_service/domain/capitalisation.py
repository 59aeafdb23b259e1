"""Capitalisation as its own kind of error: a sentence that starts in lower case, and common
words, weekdays, months, nationalities and languages capitalised inside a sentence (Swedish
writes "svensk", "engelska", "måndag"). Names are never lower-cased: a word the dictionary
lists capitalised ("Per", "Björn"), a word next to another capitalised word ("Svenska
Akademien", "Harry Potter"), or one after a colon, quote or line break is left alone."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from spellchecker_service.domain.tokens import Token

# Capitalised inside a sentence, a word this common (zipf; "alltså" 5.7, "eftersom" 5.6,
# "därför" 5.6) is almost never a name; rarer ones may be ("Kommunal", "Rosa").
MIN_COMMON_WORD_ZIPF = 5.5
_SENTENCE_END = ".!?"
_OPENERS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb([{\u2013\u2014-*\u2022"


class CaseError(StrEnum):
    """Which capitalisation rule a word breaks (each has its own explanation)."""

    SENTENCE_START = "sentence_start"
    LOWER_CASE_CLASS = "lower_case_class"  # weekday, month, nationality, language
    COMMON_WORD = "common_word"


@dataclass(frozen=True)
class CaseFlag:
    """A correctly spelled word text[start:end] whose case is wrong: write `fixed`."""

    start: int
    end: int
    fixed: str
    error: CaseError
    kind: str = ""  # for LOWER_CASE_CLASS: "nationality", "weekday", ... (rules.lower_case)


def case_flags(
    text: str,
    tokens: list[Token],
    checked: Collection[int],
    *,
    is_word: Callable[[str], bool],
    is_name: Callable[[str], bool],
    frequency: Callable[[str], float],
    lower_case: Mapping[str, str],
    abbreviations: Collection[str],
) -> list[CaseFlag]:
    """Case errors among the correctly spelled tokens whose start offsets are in `checked`."""
    flags: list[CaseFlag] = []
    for i, token in enumerate(tokens):
        if token.start not in checked or not token.word.isalpha():
            continue
        previous = tokens[i - 1] if i > 0 else None
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        word = token.word
        if (
            token.sentence_initial  # the tokenizer's looser sentence start; checked strictly
            and word[0].islower()
            and _starts_sentence(text, token, previous, abbreviations)
        ):
            fixed = word[0].upper() + word[1:]
            flags.append(CaseFlag(token.start, token.end, fixed, CaseError.SENTENCE_START))
            continue
        if token.sentence_initial or not (word[0].isupper() and word[1:].islower()):
            continue
        lower = word.lower()
        if is_name(word) or not is_word(lower) or _follows_opener(text, token.start):
            continue
        if any(_name_like(n, is_word, is_name) for n in (previous, following)):
            continue  # part of a longer name or title
        if lower in lower_case:
            flags.append(
                CaseFlag(
                    token.start, token.end, lower, CaseError.LOWER_CASE_CLASS, lower_case[lower]
                )
            )
        elif frequency(lower) >= MIN_COMMON_WORD_ZIPF:
            flags.append(CaseFlag(token.start, token.end, lower, CaseError.COMMON_WORD))
    return flags


def _name_like(
    token: Token | None, is_word: Callable[[str], bool], is_name: Callable[[str], bool]
) -> bool:
    """A capitalised neighbour that may belong to a name: anything capitalised inside a
    sentence, or at a sentence start a name or a word that is no word in lower case
    ("Harry Potter"; not "Men" in "Men Det går inte")."""
    if token is None or not token.word[:1].isupper():
        return False
    if not token.sentence_initial:
        return True
    return is_name(token.word) or not is_word(token.word.lower())


def _starts_sentence(
    text: str, token: Token, previous: Token | None, abbreviations: Collection[str]
) -> bool:
    """The text starts here, or a sentence ended just before (not an abbreviation's period,
    a list number or an ellipsis; a colon or a bare line break does not end one)."""
    i = token.start - 1
    while i >= 0 and (text[i].isspace() or text[i] in _OPENERS):
        i -= 1
    if i < 0:
        return True
    if text[i] not in _SENTENCE_END or text[i - 1 : i + 1] == "..":
        return False
    if previous is None:
        return True
    letters = [ch for ch in previous.word if ch.isalpha()]
    return (
        previous.word.lower() not in abbreviations
        and not any(ch.isdigit() for ch in previous.word)
        and len(letters) > 1
    )


def _follows_opener(text: str, start: int) -> bool:
    """Right after a quote, bracket, dash, bullet or colon: a title, a quotation, a list."""
    i = start - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    return i >= 0 and (text[i] in _OPENERS or text[i] == ":")
