"""English: libhunspell decides (US and British dictionaries), symspellpy ranks suggestions."""

from __future__ import annotations

import importlib.resources
from collections.abc import Sequence

from symspellpy import SymSpell, Verbosity  # type: ignore[import-untyped]

from common_core.enums import Language
from spellchecker_service.adapters.hunspell_lexicon import HunspellLexicon
from spellchecker_service.domain.english import normalise_apostrophes
from spellchecker_service.domain.ports import Lexicon

_FREQUENCY_FILE = "frequency_dictionary_en_82_765.txt"


class EnglishChecker:
    """Detection by hunspell (contractions, case and affixes included; British spellings are
    fine for Swedish students); suggestions by symspell's frequency-ranked symmetric-delete
    lookup, kept only when hunspell accepts them, else hunspell's own."""

    language = Language.ENGLISH

    def __init__(self, lexicon: Lexicon, symspell: SymSpell, max_edit_distance: int = 2) -> None:
        self._lexicon = lexicon
        self._symspell = symspell
        self._max_edit_distance = max_edit_distance

    @classmethod
    def load(cls, dictionary_paths: Sequence[str], max_edit_distance: int = 2) -> EnglishChecker:
        """libhunspell over the dictionaries and symspell's bundled frequency dictionary."""
        symspell = SymSpell(max_dictionary_edit_distance=max_edit_distance, prefix_length=7)
        path = importlib.resources.files("symspellpy") / _FREQUENCY_FILE
        if not symspell.load_dictionary(str(path), term_index=0, count_index=1):
            raise RuntimeError(f"symspellpy's {_FREQUENCY_FILE} is missing")
        return cls(HunspellLexicon(dictionary_paths), symspell, max_edit_distance)

    def is_correct(self, word: str) -> bool:
        """Hunspell's verdict on the word as written ("don't" and "I'm" yes, "i'm" no)."""
        return self._lexicon.accepts(word)

    def suggest(self, word: str, limit: int) -> list[str]:
        """The closest frequent words hunspell accepts (CLOSEST: ALL is ~60x slower)."""
        lower = normalise_apostrophes(word).lower()
        found = self._symspell.lookup(
            lower, Verbosity.CLOSEST, max_edit_distance=self._max_edit_distance
        )
        accepted = [s.term for s in found if self._lexicon.accepts(s.term)]
        if not accepted:
            accepted = [s for s in self._lexicon.suggest(lower) if self._accepts_every_word(s)]
        return accepted[:limit]

    def _accepts_every_word(self, suggestion: str) -> bool:
        # hunspell proposes split words ("a lot"); each part must be a word it accepts.
        return all(self._lexicon.accepts(part) for part in suggestion.split(" "))
