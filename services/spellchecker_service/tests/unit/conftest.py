"""The real dictionaries, loaded once per test session (a few seconds each)."""

from __future__ import annotations

import pytest

from spellchecker_service.adapters.english_checker import EnglishChecker
from spellchecker_service.adapters.swedish_checker import SwedishChecker

SV_DICTIONARY = "/usr/share/hunspell/sv_SE"


@pytest.fixture(scope="session")
def english() -> EnglishChecker:
    """pyspellchecker + symspellpy."""
    return EnglishChecker()


@pytest.fixture(scope="session")
def swedish(tmp_path_factory: pytest.TempPathFactory) -> SwedishChecker:
    """spylls over Debian's sv_SE, word forms built into a fresh cache directory."""
    return SwedishChecker(SV_DICTIONARY, tmp_path_factory.mktemp("dictionaries"))
