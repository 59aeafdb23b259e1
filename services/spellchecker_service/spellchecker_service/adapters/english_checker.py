"""English: libhunspell decides (US and British dictionaries), symspellpy finds the nearest
words, ranked by learner-weighted edit cost and wordfreq's English frequencies."""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Callable, Sequence

from symspellpy import SymSpell, Verbosity  # type: ignore[import-untyped]

from common_core.enums import Language
from spellchecker_service.adapters.hunspell_forms import read_listed_names
from spellchecker_service.adapters.hunspell_lexicon import HunspellLexicon
from spellchecker_service.adapters.word_frequency import WordFrequency
from spellchecker_service.domain.edits import rank
from spellchecker_service.domain.english import normalise_apostrophes
from spellchecker_service.domain.ports import Lexicon

SUGGESTION_CACHE = 8192

_FREQUENCY_FILE = "frequency_dictionary_en_82_765.txt"


class EnglishChecker:
    """Detection by hunspell (contractions, case and affixes included; British spellings are
    fine for Swedish students); suggestions by symspell's symmetric-delete lookup of the
    closest words, kept only when hunspell accepts them (else hunspell's own), re-ranked like
    the Swedish ones: cheap learner edits and common words first."""

    language = Language.ENGLISH

    def __init__(
        self,
        lexicon: Lexicon,
        symspell: SymSpell,
        max_edit_distance: int = 2,
        *,
        frequency: Callable[[str], float] = lambda _word: 0.0,
        names: frozenset[str] = frozenset(),
    ) -> None:
        self._lexicon = lexicon
        self._symspell = symspell
        self._max_edit_distance = max_edit_distance
        self._frequency = frequency
        self._names = names
        # Learners share misspellings: ranked suggestions are remembered per process.
        self._ranked = functools.lru_cache(maxsize=SUGGESTION_CACHE)(self._suggest)

    @classmethod
    def load(cls, dictionary_paths: Sequence[str], max_edit_distance: int = 2) -> EnglishChecker:
        """libhunspell over the dictionaries, symspell's bundled frequency dictionary and
        wordfreq's English frequencies."""
        symspell = SymSpell(max_dictionary_edit_distance=max_edit_distance, prefix_length=7)
        path = importlib.resources.files("symspellpy") / _FREQUENCY_FILE
        if not symspell.load_dictionary(str(path), term_index=0, count_index=1):
            raise RuntimeError(f"symspellpy's {_FREQUENCY_FILE} is missing")
        return cls(
            HunspellLexicon(dictionary_paths),
            symspell,
            max_edit_distance,
            frequency=WordFrequency("en").zipf,
            names=read_listed_names(list(dictionary_paths)),
        )

    def is_correct(self, word: str) -> bool:
        """Hunspell's verdict on the word as written ("don't" and "I'm" yes, "i'm" no)."""
        return self._lexicon.accepts(word)

    def suggest(self, word: str, limit: int) -> list[str]:
        """The closest words hunspell accepts (CLOSEST: ALL is ~60x slower), best first."""
        return list(self._ranked(normalise_apostrophes(word).lower(), limit))

    def _suggest(self, lower: str, limit: int) -> tuple[str, ...]:
        found = self._symspell.lookup(
            lower, Verbosity.CLOSEST, max_edit_distance=self._max_edit_distance
        )
        accepted = [s.term for s in found if self._lexicon.accepts(s.term)]
        if accepted:
            return tuple(rank(lower, accepted, limit, frequency=self.frequency))
        hunspells = [s for s in self._lexicon.suggest(lower) if self._accepts_every_word(s)]
        return tuple(hunspells[:limit])

    def frequency(self, word: str) -> float:
        """wordfreq's zipf frequency in English (0 without a frequency source)."""
        return self._frequency(word)

    def is_listed_name(self, word: str) -> bool:
        """The dictionaries list the word capitalised ("Mark", "London")."""
        return word in self._names

    def _accepts_every_word(self, suggestion: str) -> bool:
        # hunspell proposes split words ("a lot"); each part must be a word it accepts.
        return all(self._lexicon.accepts(part) for part in suggestion.split(" "))
