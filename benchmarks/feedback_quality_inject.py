"""Realistic learner misspellings injected into correctly spelled words (a fixed seed), so
English suggestions can be scored against the word the student meant."""

from __future__ import annotations

import random
from collections.abc import Callable

from feedback_quality_gold import Annotated

from spellchecker_service.domain.checking import CheckedWord

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = set("aeiouy")
WORDS_PER_ERROR = 60
MAX_ERRORS_PER_TEXT = 3


def _neighbours(key: str) -> str:
    """Keys beside it in its row (a slipped finger)."""
    for row in _ROWS:
        i = row.find(key)
        if i >= 0:
            return row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    return ""


def misspell(word: str, rng: random.Random) -> str:
    """One learner-style slip: a doubled or undoubled consonant, a keyboard neighbour, two
    letters swapped, a letter dropped (never the first letter)."""
    kinds: list[Callable[[], str]] = []
    doubled = [i for i in range(1, len(word) - 1) if word[i] == word[i + 1]]
    singles = [
        i
        for i in range(1, len(word))
        if word[i] not in _VOWELS and word[i] != word[i - 1] and word[i : i + 2] != word[i] * 2
    ]
    if doubled:
        i = rng.choice(doubled)
        kinds.append(lambda: word[:i] + word[i + 1 :])
    if singles:
        j = rng.choice(singles)
        kinds.append(lambda: word[:j] + word[j] + word[j:])
    k = rng.randrange(1, len(word))
    if _neighbours(word[k]):
        kinds.append(lambda: word[:k] + rng.choice(_neighbours(word[k])) + word[k + 1 :])
    s = rng.randrange(1, len(word) - 1)
    if word[s] != word[s + 1]:
        kinds.append(lambda: word[:s] + word[s + 1] + word[s] + word[s + 2 :])
    d = rng.randrange(1, len(word))
    kinds.append(lambda: word[:d] + word[d + 1 :])
    return rng.choice(kinds)()


def inject(
    text: str,
    words: list[CheckedWord],
    is_correct: Callable[[str], bool],
    rng: random.Random,
) -> tuple[Annotated, int]:
    """The text with a few correct lower-case words misspelled (only slips that make a
    non-word: a dictionary cannot find the others), and how many slips made a real word."""
    pool = [w for w in words if w.word.isalpha() and w.word.islower() and len(w.word) >= 4]
    wanted = min(MAX_ERRORS_PER_TEXT, max(1, len(words) // WORDS_PER_ERROR))
    chosen: list[tuple[CheckedWord, str]] = []
    real_words = 0
    for word in rng.sample(pool, len(pool)):
        if len(chosen) == wanted:
            break
        if not is_correct(word.word) or any(abs(word.start - c.start) < 40 for c, _ in chosen):
            continue
        slip = misspell(word.word, rng)
        if slip == word.word:
            continue
        if is_correct(slip):
            real_words += 1
            continue
        chosen.append((word, slip))
    parts: list[str] = []
    errors: list[tuple[int, int, str]] = []
    position = 0
    length = 0
    for word, slip in sorted(chosen, key=lambda c: c[0].start):
        parts.append(text[position : word.start])
        length += word.start - position
        errors.append((length, length + len(slip), word.word))
        parts.append(slip)
        length += len(slip)
        position = word.end
    parts.append(text[position:])
    return Annotated("".join(parts), errors), real_words
