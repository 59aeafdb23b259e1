"""Swedish: libhunspell decides (affixes, compounds); a word list expanded from the same
dictionary suggests single-edit fixes in well under a millisecond, only forms hunspell accepts."""

from __future__ import annotations

from pathlib import Path

from common_core.enums import Language
from spellchecker_service.adapters.hunspell_forms import load_forms, read_base_forms
from spellchecker_service.adapters.hunspell_lexicon import HunspellLexicon
from spellchecker_service.domain.edits import candidates, rank
from spellchecker_service.domain.ports import Lexicon


class SwedishChecker:
    """Detection by hunspell's affix and compound rules; suggestions from expanded word forms."""

    language = Language.SWEDISH

    def __init__(self, lexicon: Lexicon, forms: frozenset[str], base_forms: frozenset[str]) -> None:
        self._lexicon = lexicon
        self._forms = forms
        self._base_forms = base_forms

    @classmethod
    def load(cls, dictionary_path: str, cache_dir: Path) -> SwedishChecker:
        """libhunspell over the dictionary, and its forms expanded once into cache_dir."""
        base_forms = read_base_forms(dictionary_path)
        forms = load_forms(dictionary_path, cache_dir) or base_forms
        return cls(HunspellLexicon([dictionary_path]), forms, base_forms)

    def is_correct(self, word: str) -> bool:
        """Hunspell's verdict (productive compounds such as "fotbollsträning" included)."""
        return self._lexicon.accepts(word)

    def suggest(self, word: str, limit: int) -> list[str]:
        """One-edit fixes (learner-weighted), else hunspell's own; never a form it rejects."""
        lower = word.lower()
        found = candidates(lower, self._forms, self._lexicon.accepts)
        if found:
            return rank(lower, found, self._base_forms, limit)
        accepted = [s for s in self._lexicon.suggest(lower) if self._lexicon.accepts(s)]
        return accepted[:limit]
