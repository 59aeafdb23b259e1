"""Word frequencies from wordfreq (Swedish and English, many sources), loaded once per process."""

from __future__ import annotations

import functools

from wordfreq import zipf_frequency

_CACHE = 65536


class WordFrequency:
    """zipf_frequency for one language: log10 of occurrences per billion words, 0 if unknown."""

    def __init__(self, language_code: str) -> None:
        self._language = language_code
        self._zipf = functools.lru_cache(maxsize=_CACHE)(self._lookup)
        self._zipf("och")  # loads the language's table now, not at the first essay

    def zipf(self, word: str) -> float:
        """How common the word is (wordfreq lower-cases it)."""
        return float(self._zipf(word))

    def _lookup(self, word: str) -> float:
        return float(zipf_frequency(word, self._language))
