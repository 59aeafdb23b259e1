"""libhunspell and the suggestible word forms, over dictionaries written by the tests and
Debian's English ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from spellchecker_service.adapters.hunspell_forms import (
    forms_cache_file,
    load_forms,
    read_base_forms,
    suggestible_entries,
)
from spellchecker_service.adapters.hunspell_lexicon import HunspellLexicon

EN_DICTIONARIES = ["/usr/share/hunspell/en_US", "/usr/share/hunspell/en_GB"]

AFF = (
    "SET UTF-8\nNOSUGGEST !\nFORBIDDENWORD %\n\n"
    "SFX D Y 1\nSFX D 0 nde a\n\n"
    "SFX K Y 1\nSFX K a e da\n"
)
# "passanda" is a listed misspelling. spylls (the previous engine) then rejected "passande"
# too: it could also be read as "passanda" + K, and spylls gave up on the whole word.
DIC = "3\npassa/D\npassanda/%\npissa/!D\n"


def _write(base: Path, aff: str, dic: str) -> str:
    Path(f"{base}.aff").write_text(aff, encoding="utf-8")
    Path(f"{base}.dic").write_text(dic, encoding="utf-8")
    return str(base)


@pytest.fixture
def dictionary(tmp_path: Path) -> str:
    """Three entries: a verb, a forbidden misspelling and a NOSUGGEST (vulgar) verb."""
    return _write(tmp_path / "xx_XX", AFF, DIC)


class TestHunspellLexicon:
    def test_a_form_also_readable_from_a_forbidden_stem_is_accepted(self, dictionary: str) -> None:
        lexicon = HunspellLexicon([dictionary])
        assert lexicon.accepts("passande")
        assert lexicon.accepts("Passande")
        assert not lexicon.accepts("passanda")
        assert lexicon.accepts("pissande")  # NOSUGGEST words are words, only never suggested

    def test_its_own_suggestions_skip_nosuggest_words(self, dictionary: str) -> None:
        assert HunspellLexicon([dictionary]).suggest("pasande") == ["passande"]

    def test_a_word_is_correct_when_any_dictionary_accepts_it(self) -> None:
        us_only = HunspellLexicon(EN_DICTIONARIES[:1])
        both = HunspellLexicon(EN_DICTIONARIES)
        assert not us_only.accepts("colour")
        assert both.accepts("colour")
        assert both.accepts("color")
        assert not both.accepts("becuase")

    def test_a_missing_dictionary_fails_at_load(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError):
            HunspellLexicon([str(tmp_path / "missing")])
        with pytest.raises(ValueError, match="at least one"):
            HunspellLexicon([])

    def test_words_the_library_cannot_encode_are_rejected(self, dictionary: str) -> None:
        lexicon = HunspellLexicon([dictionary])
        assert not lexicon.accepts("pass\ud800")
        assert lexicon.suggest("pass\ud800") == []


class TestSuggestibleForms:
    def test_nosuggest_and_forbidden_entries_are_left_out(
        self, dictionary: str, tmp_path: Path
    ) -> None:
        cache = tmp_path / "cache"
        assert read_base_forms(dictionary) == {"passa"}
        assert load_forms(dictionary, cache) == frozenset({"passa", "passande"})
        assert forms_cache_file(dictionary, cache).read_text(encoding="utf-8").split() == [
            "passa",
            "passande",
        ]

    def test_the_cached_forms_are_read_back(self, dictionary: str, tmp_path: Path) -> None:
        cache = tmp_path / "cache"
        forms_cache_file(dictionary, cache).parent.mkdir()
        forms_cache_file(dictionary, cache).write_text("skola\nskolan", encoding="utf-8")
        assert load_forms(dictionary, cache) == frozenset({"skola", "skolan"})

    def test_two_character_flags(self, tmp_path: Path) -> None:
        base = _write(
            tmp_path / "yy_YY",
            "SET UTF-8\nFLAG long\nNOSUGGEST Ns\n",
            "3\nbra/NsAa\nbil/aNsb\nhus\n",
        )
        assert suggestible_entries(base) == ["bil/aNsb", "hus"]
