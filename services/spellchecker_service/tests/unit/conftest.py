"""The real dictionaries, loaded once per test session (a few seconds each)."""

from __future__ import annotations

import pytest

from spellchecker_service.adapters.english_checker import EnglishChecker
from spellchecker_service.adapters.swedish_checker import SwedishChecker

SV_DICTIONARY = "/usr/share/hunspell/sv_SE"
EN_DICTIONARIES = ["/usr/share/hunspell/en_US", "/usr/share/hunspell/en_GB"]


@pytest.fixture(scope="session")
def english() -> EnglishChecker:
    """libhunspell over Debian's en_US and en_GB, symspellpy's frequency dictionary."""
    return EnglishChecker.load(EN_DICTIONARIES)


@pytest.fixture(scope="session")
def swedish(tmp_path_factory: pytest.TempPathFactory) -> SwedishChecker:
    """libhunspell over Debian's sv_SE, word forms built into a fresh cache directory."""
    return SwedishChecker.load(SV_DICTIONARY, tmp_path_factory.mktemp("dictionaries"))
