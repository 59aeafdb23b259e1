"""English contractions: which dictionary word a contracted form stands on."""

from __future__ import annotations

_NEGATIONS = {"can't": "can", "won't": "will", "shan't": "shall", "ain't": "is"}
_CLITICS = ("'s", "'re", "'ve", "'ll", "'d")


def normalise_apostrophes(word: str) -> str:
    """Typographic apostrophes as plain ones."""
    return word.replace("\u2019", "'").replace("\u2018", "'")


def contraction_base(word: str) -> str | None:
    """The word a contraction attaches to ("don't" -> "do", "we're" -> "we"), or None.

    None means the apostrophe form is no contraction we know ("wan't" -> "wa" is returned and
    then fails the dictionary; "o'clock" returns None and is left to the word lists).
    """
    lower = normalise_apostrophes(word).lower()
    if lower in _NEGATIONS:
        return _NEGATIONS[lower]
    if lower == "i'm":
        return "i"
    if lower.endswith("n't") and len(lower) > 3:
        return lower[:-3]
    for clitic in _CLITICS:
        if lower.endswith(clitic) and len(lower) > len(clitic):
            return lower[: -len(clitic)]
    return None
