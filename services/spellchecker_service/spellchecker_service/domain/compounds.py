"""Compounds: words written apart that Swedish writes as one (särskrivning: "sjuk sköterska"),
and compounds that keep all three letters where their parts meet ("bussstation")."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

# Tuned on learner sentences (DaLAJ dev), where every other word pair is correct:
# the joined word must be a word people write (zipf >= 2.5, not just a compound hunspell
# would build), not much rarer than the rarer of its parts ("sjuksköterska" 4.1 against
# "sköterska" 3.2; "storstad" 3.7 against "stad" 5.1 stays apart: "en stor stad").
MIN_JOINED_ZIPF = 2.5
MAX_RARITY_GAP = 1.0
# Function words, pronouns and auxiliaries stay apart: "efter middagen", "för att", "det var".
MAX_FIRST_PART_ZIPF = 6.0
MAX_SECOND_PART_ZIPF = 6.0
# After an intensifying prefix ("jätte bra") the second part may be any common word.
MAX_AFTER_PREFIX_ZIPF = 6.5

_TRIPLE = re.compile(r"([^\W\d_])\1\1")
# A decade or century written apart: "1800 talet", "90 talets" (Swedish: "1800-talet");
# not "20 tal" (twenty sums, or about twenty).
_DECADE_APART = re.compile(r"\b(\d*0) (talet|talets)\b")


@dataclass(frozen=True)
class SplitCompound:
    """Two adjacent words text[start:end] that should be written as `joined`."""

    start: int
    end: int
    joined: str


@dataclass(frozen=True)
class Word:
    """A correctly spelled word of the text and where it stands."""

    word: str
    start: int
    end: int


def split_compounds(
    text: str,
    words: list[Word],
    accept: Callable[[str], bool],
    frequency: Callable[[str], float],
    prefixes: Collection[str] = frozenset(),
) -> list[SplitCompound]:
    """Adjacent correct words, one space apart, whose joined form (or with a linking s) is a
    word the dictionary accepts and is common enough to be what the writer meant."""
    found: list[SplitCompound] = []
    taken = -1
    zipf: dict[str, float] = {}  # each word's frequency once per text, not once per pair

    def known(word: str) -> float:
        if word not in zipf:
            zipf[word] = frequency(word)
        return zipf[word]

    for first, second in itertools.pairwise(words):
        if first.start < taken or text[first.end : second.start] != " ":
            continue
        joined = _joined(first.word, second.word, accept, known, prefixes)
        if joined is not None:
            found.append(SplitCompound(first.start, second.end, joined))
            taken = second.end
    return found


def _joined(
    first: str,
    second: str,
    accept: Callable[[str], bool],
    frequency: Callable[[str], float],
    prefixes: Collection[str],
) -> str | None:
    head = first.lower()
    if not (head.isalpha() and second.isalpha() and second.islower()):
        return None
    # Frequencies first (dictionary lookups): hunspell's compound check is the costly part.
    prefixed = head in prefixes
    first_zipf, second_zipf = frequency(head), frequency(second)
    if prefixed and second_zipf >= MAX_AFTER_PREFIX_ZIPF:
        return None
    if not prefixed and (first_zipf >= MAX_FIRST_PART_ZIPF or second_zipf >= MAX_SECOND_PART_ZIPF):
        return None
    forms = [head + second] + ([head + "s" + second] if not head.endswith("s") else [])
    if not prefixed:
        floor = max(MIN_JOINED_ZIPF, min(first_zipf, second_zipf) - MAX_RARITY_GAP)
        forms = [f for f in forms if frequency(f) >= floor]
    accepted = [f for f in forms if accept(f)]
    return max(accepted, key=frequency) if accepted else None


def decades_apart(text: str) -> list[SplitCompound]:
    """ "1800 talet" -> "1800-talet": a decade or century is one word, joined by a hyphen."""
    return [
        SplitCompound(m.start(), m.end(), f"{m.group(1)}-{m.group(2)}")
        for m in _DECADE_APART.finditer(text)
    ]


def is_triple_consonant_compound(word: str, accept: Callable[[str], bool]) -> bool:
    """ "bussstation": both parts are words and the dictionary accepts the compound with the
    three letters shortened to two (the older rule); today's rule keeps all three."""
    for match in _TRIPLE.finditer(word):
        head, tail = word[: match.start() + 2], word[match.start() + 2 :]
        shortened = word[: match.start() + 1] + word[match.start() + 2 :]
        if accept(shortened) and accept(head) and accept(tail):
            return True
    return False
