"""English word shapes: typographic apostrophes as the plain ones word lists use."""

from __future__ import annotations


def normalise_apostrophes(word: str) -> str:
    """Typographic apostrophes as plain ones."""
    return word.replace("\u2019", "'").replace("\u2018", "'")
