"""libhunspell, the library behind the `hunspell` command, through the `hunspell` binding
(built against Debian's libhunspell-dev, so the service and the CLI give the same verdicts)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from hunspell import HunSpell  # type: ignore[import-not-found]

# hunspell's own suggest() takes ~20-80 ms a word; essays repeat their misspellings.
_SUGGESTION_CACHE = 4096


class HunspellLexicon:
    """One or more hunspell dictionaries; a word is correct when any of them accepts it."""

    def __init__(self, dictionary_paths: Sequence[str]) -> None:
        if not dictionary_paths:
            raise ValueError("at least one hunspell dictionary is needed")
        for base in dictionary_paths:
            for suffix in (".dic", ".aff"):
                # libhunspell would load a missing file as an empty dictionary and reject
                # every word; fail at start instead.
                if not Path(base + suffix).is_file():
                    raise FileNotFoundError(f"hunspell dictionary file {base + suffix} is missing")
        self._dictionaries = [HunSpell(base + ".dic", base + ".aff") for base in dictionary_paths]
        self._suggestions = functools.lru_cache(maxsize=_SUGGESTION_CACHE)(self._suggest)

    def accepts(self, word: str) -> bool:
        """hunspell's verdict on the word as written (case, affixes and compounds)."""
        try:
            return any(dictionary.spell(word) for dictionary in self._dictionaries)
        except UnicodeEncodeError:  # lone surrogates cannot reach the library
            return False

    def suggest(self, word: str) -> list[str]:
        """hunspell's own suggestions (first dictionary first), remembered per word."""
        return list(self._suggestions(word))

    def _suggest(self, word: str) -> tuple[str, ...]:
        try:
            found = [s for d in self._dictionaries for s in d.suggest(word)]
        except UnicodeEncodeError:
            return ()
        return tuple(dict.fromkeys(found))
