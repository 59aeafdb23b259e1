"""Check a whole text with one language's SpellChecker: misspellings, corrected text, counts."""

from __future__ import annotations

from dataclasses import dataclass

from common_core.enums import FlagCategory
from common_core.events import Misspelling
from spellchecker_service.domain import explanations
from spellchecker_service.domain.capitalisation import case_flags
from spellchecker_service.domain.compounds import Word, decades_apart, split_compounds
from spellchecker_service.domain.edits import FREQUENCY_WEIGHT, edit_cost
from spellchecker_service.domain.essay_header import header_spans, in_header
from spellchecker_service.domain.ports import SpellChecker, SpellcheckReport
from spellchecker_service.domain.rules import LanguageRules
from spellchecker_service.domain.tokens import (
    Skip,
    Token,
    capitalised_mid_sentence,
    protected_spans,
    skip_reason,
    tokenize,
)

MAX_SUGGESTIONS = 5


class UncheckableText(Exception):
    """The text cannot be checked (empty, no words, too long); the reason is the message."""


@dataclass(frozen=True)
class CheckedWord:
    """A word the dictionary judges, where it stands: text[start:end] == word."""

    word: str
    start: int
    end: int


def check_text(
    text: str,
    checker: SpellChecker,
    rules: LanguageRules,
    *,
    max_suggestions: int = MAX_SUGGESTIONS,
    max_chars: int = 200_000,
) -> SpellcheckReport:
    """Find misspellings (offsets into `text`) and replace each by its top suggestion."""
    if not text.strip():
        raise UncheckableText("the text is empty")
    if len(text) > max_chars:
        raise UncheckableText(f"the text is longer than {max_chars} characters")
    tokens = tokenize(text)
    word_count = sum(1 for t in tokens if any(ch.isalpha() for ch in t.word))
    if word_count == 0:
        raise UncheckableText("the text contains no words")
    suggestions_cache: dict[str, list[str]] = {}
    verdicts: dict[str, bool] = {}
    misspellings: list[Misspelling] = []
    correct: list[Word] = []
    outside_header = _outside_header(text, tokens)
    for word in _checked_words(outside_header, rules):
        if word.word not in verdicts:
            verdicts[word.word] = _is_correct(word.word, checker, rules)
        if verdicts[word.word]:
            correct.append(Word(word.word, word.start, word.end))
            continue
        key = word.word.lower()
        if key not in suggestions_cache:
            suggestions_cache[key] = _suggest(key, checker, rules, max_suggestions)
        suggestions = [_match_case(s, word.word) for s in suggestions_cache[key]]
        misspellings.append(_spelling_flag(word, suggestions, checker))
    for flag in [
        *_compound_flags(text, correct, checker, rules),
        *_case_flags(text, tokens, outside_header, correct, checker, rules),
    ]:
        if not any(m.start < flag.end and flag.start < m.end for m in misspellings):
            misspellings.append(flag)
    misspellings.sort(key=lambda m: m.start)
    corrected, corrections = apply_corrections(text, misspellings)
    return SpellcheckReport(misspellings, corrected, word_count, corrections)


def _spelling_flag(word: CheckedWord, suggestions: list[str], checker: SpellChecker) -> Misspelling:
    """A word the dictionary rejects; a case-only fix or a split fix has its own category."""
    first = suggestions[0] if suggestions else ""
    if first and first != word.word and first.lower() == word.word.lower():
        return Misspelling(
            **vars(word),
            suggestions=suggestions,
            category=FlagCategory.CAPITALISATION,
            explanation=explanations.name_capitalised(checker.language),
        )
    if " " in first and first.replace(" ", "").lower() == word.word.lower():
        return Misspelling(
            **vars(word),
            suggestions=suggestions,
            category=FlagCategory.COMPOUND,
            explanation=explanations.written_apart(first),
        )
    return Misspelling(**vars(word), suggestions=suggestions)


def _compound_flags(
    text: str, correct: list[Word], checker: SpellChecker, rules: LanguageRules
) -> list[Misspelling]:
    """Correct words written apart that form a common compound ("sjuk sköterska")."""
    if not rules.joins_compounds:
        return []
    found = split_compounds(
        text, correct, checker.is_correct, checker.frequency, rules.compound_prefixes
    ) + decades_apart(text)
    return [
        Misspelling(
            word=text[c.start : c.end],
            start=c.start,
            end=c.end,
            suggestions=[_match_case(c.joined, text[c.start : c.end])],
            category=FlagCategory.COMPOUND,
            explanation=explanations.joined_compound(c.joined),
        )
        for c in found
    ]


def _case_flags(
    text: str,
    tokens: list[Token],
    outside_header: list[tuple[Token, Skip | None]],
    correct: list[Word],
    checker: SpellChecker,
    rules: LanguageRules,
) -> list[Misspelling]:
    """Correct words in the wrong case: a sentence start, or a common word capitalised."""
    # Capitalised words skipped as names are judged here, in lower case.
    judged = {w.start for w in correct} | {t.start for t, r in outside_header if r is Skip.NAME}
    flags = case_flags(
        text,
        tokens,
        judged,
        is_word=checker.is_correct,
        is_name=checker.is_listed_name,
        frequency=checker.frequency,
        lower_case=rules.lower_case,
        abbreviations=rules.abbreviations,
    )
    return [
        Misspelling(
            word=text[f.start : f.end],
            start=f.start,
            end=f.end,
            suggestions=[f.fixed],
            category=FlagCategory.CAPITALISATION,
            explanation=explanations.case_error(f),
        )
        for f in flags
    ]


def apply_corrections(text: str, misspellings: list[Misspelling]) -> tuple[str, int]:
    """The text with every misspelling that has a suggestion replaced by the first one."""
    parts: list[str] = []
    position = 0
    count = 0
    for m in sorted(misspellings, key=lambda m: m.start):
        if not m.suggestions or m.start < position:
            continue
        parts.append(text[position : m.start])
        parts.append(m.suggestions[0])
        position = m.end
        count += 1
    parts.append(text[position:])
    return "".join(parts), count


def checked_words(text: str, rules: LanguageRules) -> list[CheckedWord]:
    """Every word check_text judges: tokens the skip rules leave, split at joining periods."""
    return _checked_words(_outside_header(text, tokenize(text)), rules)


def _outside_header(text: str, tokens: list[Token]) -> list[tuple[Token, Skip | None]]:
    """Every token outside the essay's header, with the reason it is not checked (if any)."""
    protected = protected_spans(text)
    names = capitalised_mid_sentence(tokens)
    header = header_spans(text)  # the student's name and email: never flagged (essay_header)
    return [
        (token, skip_reason(token, protected, names))
        for token in tokens
        if not in_header(token.start, header)
    ]


def _checked_words(
    outside_header: list[tuple[Token, Skip | None]], rules: LanguageRules
) -> list[CheckedWord]:
    return [
        word
        for token, reason in outside_header
        if reason is None
        for word in _words_to_check(token, rules)
    ]


def _words_to_check(token: Token, rules: LanguageRules) -> list[CheckedWord]:
    """The token itself, or its parts when periods join words that are no abbreviation."""
    if "." not in token.word or token.word.lower() in rules.abbreviations:
        return [CheckedWord(token.word, token.start, token.end)]
    words: list[CheckedWord] = []
    offset = token.start
    for part in token.word.split("."):
        letters = [ch for ch in part if ch.isalpha()]
        if len(letters) > 1 and part.lower() not in rules.abbreviations:
            words.append(CheckedWord(part, offset, offset + len(part)))
        offset += len(part) + 1
    return words


def _is_correct(word: str, checker: SpellChecker, rules: LanguageRules) -> bool:
    lower = word.lower()
    if lower in rules.allowlist or lower in rules.abbreviations:
        return True
    # Nothing overrides a dictionary that accepts the word: a known fix only ranks first.
    return checker.is_correct(word)


def _suggest(word: str, checker: SpellChecker, rules: LanguageRules, limit: int) -> list[str]:
    """`word` is lower case: a known fix, then the word capitalised when only its case is
    wrong ("american", "i'm") unless a fix is likelier ("wil": "will" before the name
    "Wil"), then the checker's own suggestions."""
    fixed = rules.known_fixes.get(word)
    capitalised = word[:1].upper() + word[1:]
    case_fix = capitalised if capitalised != word and checker.is_correct(capitalised) else None
    suggested = checker.suggest(word, limit)
    if case_fix and suggested and _likelier(suggested[0], word, checker):
        ranked = [fixed, suggested[0], case_fix, *suggested[1:]]
    else:
        ranked = [fixed, case_fix, *suggested]
    unique = list(dict.fromkeys(s for s in ranked if s and s != word))
    return unique[:limit]


def _likelier(fix: str, word: str, checker: SpellChecker) -> bool:
    """A spelling fix scores better than the word as written (edit cost 0) would as a name:
    the same learner-weighted cost and frequency trade-off as the checker's ranking."""
    fix_score = edit_cost(word, fix.lower()) - FREQUENCY_WEIGHT * checker.frequency(fix)
    return fix_score < -FREQUENCY_WEIGHT * checker.frequency(word)


def _match_case(suggestion: str, original: str) -> str:
    """Keep the case of the original's first letter."""
    if original[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion
