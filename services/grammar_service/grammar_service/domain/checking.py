"""What is checked and what is reported: text limits, chunks, categories, matches."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from common_core.events import GrammarMatch
from grammar_service.domain.offsets import Utf16Offsets
from grammar_service.domain.ports import LanguageToolMatch

# LanguageTool's category of its dictionary spelling rules (MORFOLOGIK_RULE_EN_GB,
# HUNSPELL_RULE, ...): spelling is the Spell Checker's job, so it is always off. Rules of
# other categories whose issueType is "misspelling" stay on: they flag real words used
# wrongly (TO_TOO "to" -> "too" is CONFUSED_WORDS), which no dictionary can find.
SPELLING_CATEGORY = "TYPOS"
MAX_REPLACEMENTS = 5
_CATEGORY_ID = re.compile(r"^[A-Z][A-Z0-9_]*$")
_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")  # apostrophes and hyphens join a word


class UncheckableText(Exception):
    """The text cannot be checked (empty, no words, too long); the reason is the message."""


def word_count(text: str, *, max_chars: int) -> int:
    """The number of words; UncheckableText for an empty, wordless or too long text."""
    if not text.strip():
        raise UncheckableText("the text is empty")
    if len(text) > max_chars:
        raise UncheckableText(f"the text is longer than {max_chars} characters")
    count = sum(1 for w in _WORD.findall(text) if any(ch.isalpha() for ch in w))
    if count == 0:
        raise UncheckableText("the text contains no words")
    return count


def categories_to_disable(teacher_disabled: Iterable[str]) -> list[str]:
    """Spelling plus the teacher's categories, as LanguageTool ids (anything else dropped)."""
    wanted = [c.strip().upper() for c in teacher_disabled]
    valid = [c for c in wanted if _CATEGORY_ID.match(c)]
    return list(dict.fromkeys([SPELLING_CATEGORY, *valid]))


@dataclass(frozen=True)
class Chunk:
    """A piece of the text sent to LanguageTool on its own; `start` in code points."""

    start: int
    text: str


def chunks(text: str, max_chars: int) -> list[Chunk]:
    """The text in pieces of at most `max_chars`, cut after a paragraph, else a sentence,
    else a space: one request per piece keeps each within the client's timeout."""
    pieces: list[Chunk] = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = _cut_point(window)
        pieces.append(Chunk(start, window[:cut]))
        start += cut
    pieces.append(Chunk(start, text[start:]))
    return pieces


def _cut_point(window: str) -> int:
    # Past the middle of the window only, so a piece is never tiny.
    floor = len(window) // 2
    for separator in ("\n\n", "\n", ". ", "! ", "? ", " "):
        at = window.rfind(separator, floor)
        if at != -1:
            return at + len(separator)
    return len(window)


def to_grammar_matches(
    chunk: Chunk, found: Sequence[LanguageToolMatch], disabled: Sequence[str]
) -> list[GrammarMatch]:
    """LanguageTool's matches in one chunk as GrammarMatch with code-point offsets into the
    whole text; disabled categories and matches that cover nothing are left out."""
    offsets = Utf16Offsets(chunk.text)
    off = set(disabled)
    matches: list[GrammarMatch] = []
    for m in found:
        if m.category in off:
            continue
        start = offsets.to_code_points(m.offset)
        end = offsets.to_code_points(m.offset + m.length)
        if end <= start:
            continue
        matches.append(
            GrammarMatch(
                start=chunk.start + start,
                end=chunk.start + end,
                text=chunk.text[start:end],
                rule_id=m.rule_id,
                category=m.category,
                message=m.message,
                replacements=list(dict.fromkeys(m.replacements))[:MAX_REPLACEMENTS],
            )
        )
    return matches
