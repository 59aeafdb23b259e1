"""Swedish: libhunspell decides (affixes, compounds); a word list expanded from the same
dictionary suggests single-edit fixes in well under a millisecond, only forms hunspell accepts,
ranked by learner-weighted edit cost and wordfreq's Swedish frequencies."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from common_core.enums import Language
from spellchecker_service.adapters.hunspell_forms import (
    load_forms,
    read_base_forms,
    read_listed_names,
)
from spellchecker_service.adapters.hunspell_lexicon import HunspellLexicon
from spellchecker_service.adapters.word_frequency import WordFrequency
from spellchecker_service.domain.compounds import is_triple_consonant_compound
from spellchecker_service.domain.edits import candidates, rank
from spellchecker_service.domain.ports import Lexicon

SUGGESTION_CACHE = 8192


class SwedishChecker:
    """Detection by hunspell's affix and compound rules; suggestions from expanded word forms."""

    language = Language.SWEDISH

    def __init__(
        self,
        lexicon: Lexicon,
        forms: frozenset[str],
        base_forms: frozenset[str],
        *,
        frequency: Callable[[str], float] = lambda _word: 0.0,
        names: frozenset[str] = frozenset(),
    ) -> None:
        self._lexicon = lexicon
        self._forms = forms
        self._base_forms = base_forms
        self._frequency = frequency
        self._names = names
        # Learners share misspellings: ranked suggestions are remembered per process.
        self._ranked = functools.lru_cache(maxsize=SUGGESTION_CACHE)(self._suggest)

    @classmethod
    def load(cls, dictionary_path: str, cache_dir: Path) -> SwedishChecker:
        """libhunspell over the dictionary, its forms expanded once into cache_dir, and
        wordfreq's Swedish frequencies."""
        base_forms = read_base_forms(dictionary_path)
        forms = load_forms(dictionary_path, cache_dir) or base_forms
        return cls(
            HunspellLexicon([dictionary_path]),
            forms,
            base_forms,
            frequency=WordFrequency("sv").zipf,
            names=read_listed_names([dictionary_path]),
        )

    def is_correct(self, word: str) -> bool:
        """Hunspell's verdict (productive compounds such as "fotbollsträning" included), plus
        compounds that keep all three letters where their parts meet ("bussstation")."""
        return self._lexicon.accepts(word) or is_triple_consonant_compound(
            word, self._lexicon.accepts
        )

    def suggest(self, word: str, limit: int) -> list[str]:
        """One-edit fixes (learner-weighted, common words first), else hunspell's own; never
        a form it rejects."""
        return list(self._ranked(word.lower(), limit))

    def _suggest(self, lower: str, limit: int) -> tuple[str, ...]:
        found = candidates(lower, self._forms, self._lexicon.accepts, frequency=self.frequency)
        if found:
            ranked = rank(
                lower, found, limit, frequency=self.frequency, base_forms=self._base_forms
            )
            return tuple(ranked)
        accepted = [s for s in self._lexicon.suggest(lower) if self._lexicon.accepts(s)]
        return tuple(accepted[:limit])

    def frequency(self, word: str) -> float:
        """wordfreq's zipf frequency in Swedish (0 without a frequency source)."""
        return self._frequency(word)

    def is_listed_name(self, word: str) -> bool:
        """The dictionary lists the word capitalised ("Per", "Björn", "Göteborg")."""
        return word in self._names
