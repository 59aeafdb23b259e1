"""The checkers and check_text over a hand-written lexicon: hunspell's verdict is final and
every suggestion is a word it accepts."""

from __future__ import annotations

from symspellpy import SymSpell  # type: ignore[import-untyped]

from common_core.enums import Language
from spellchecker_service.adapters.english_checker import EnglishChecker
from spellchecker_service.adapters.swedish_checker import SwedishChecker
from spellchecker_service.domain.checking import check_text
from spellchecker_service.domain.rules import SWEDISH, LanguageRules


class FakeLexicon:
    """Accepts exactly the words it is given (as written); suggests what it is told."""

    def __init__(self, words: set[str], suggestions: dict[str, list[str]] | None = None) -> None:
        self.words = words
        self.suggestions = suggestions or {}
        self.asked: list[str] = []

    def accepts(self, word: str) -> bool:
        return word in self.words

    def suggest(self, word: str) -> list[str]:
        self.asked.append(word)
        return self.suggestions.get(word, [])


class LexiconChecker:
    """A SpellChecker that is nothing but a lexicon and a fixed suggestion list."""

    language = Language.ENGLISH

    def __init__(self, words: set[str], suggestions: list[str] | None = None) -> None:
        self.lexicon = FakeLexicon(words)
        self.suggestions = suggestions or []

    def is_correct(self, word: str) -> bool:
        return self.lexicon.accepts(word)

    def suggest(self, word: str, limit: int) -> list[str]:
        return self.suggestions[:limit]

    def frequency(self, word: str) -> float:
        return 0.0  # no frequencies: nothing is joined or lower-cased for being common

    def is_listed_name(self, word: str) -> bool:
        return False


def _symspell(counts: dict[str, int]) -> SymSpell:
    symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
    for word, count in counts.items():
        symspell.create_dictionary_entry(word, count)
    return symspell


class TestSwedishChecker:
    def test_a_word_the_lexicon_accepts_is_never_flagged(self) -> None:
        # In no word list at all: the lexicon's verdict alone decides.
        lexicon = FakeLexicon({"Det", "var", "passande"})
        checker = SwedishChecker(lexicon, frozenset(), frozenset())
        assert check_text("Det var passande.", checker, SWEDISH).misspellings == []

    def test_forms_the_lexicon_rejects_are_never_suggested(self) -> None:
        checker = SwedishChecker(
            FakeLexicon({"passande"}), frozenset({"passande", "pissande"}), frozenset()
        )
        assert checker.suggest("pessande", 5) == ["passande"]

    def test_hunspell_is_asked_only_when_no_form_is_near(self) -> None:
        lexicon = FakeLexicon({"eftersom"}, {"efftersoomm": ["efter som", "eftersom", "eftersomm"]})
        checker = SwedishChecker(lexicon, frozenset({"eftersom"}), frozenset({"eftersom"}))
        assert checker.suggest("eftersomm", 5) == ["eftersom"]
        assert lexicon.asked == []
        assert checker.suggest("efftersoomm", 5) == ["eftersom"]
        assert lexicon.asked == ["efftersoomm"]


class TestEnglishChecker:
    def test_frequent_words_hunspell_rejects_are_not_suggested(self) -> None:
        # Frequency lists carry common misspellings; "recieve" outranks "receive" here.
        symspell = _symspell({"recieve": 900, "receive": 10})
        checker = EnglishChecker(FakeLexicon({"receive"}), symspell)
        assert checker.suggest("receve", 5) == ["receive"]

    def test_hunspell_fallback_keeps_split_words_whose_parts_it_accepts(self) -> None:
        lexicon = FakeLexicon({"a", "lot", "alto"}, {"alot": ["a lot", "al ot", "alto"]})
        checker = EnglishChecker(lexicon, _symspell({"because": 10}))
        assert checker.suggest("alot", 5) == ["a lot", "alto"]
        assert checker.is_correct("alto")
        assert not checker.is_correct("alot")


class TestCheckTextRules:
    def test_a_known_fix_never_flags_a_word_the_dictionary_accepts(self) -> None:
        rules = LanguageRules(known_fixes={"whats": "what's"})
        report = check_text("Well, whats up", LexiconChecker({"Well", "whats", "up"}), rules)
        assert report.misspellings == []

    def test_a_known_fix_ranks_first_for_a_word_the_dictionary_rejects(self) -> None:
        rules = LanguageRules(known_fixes={"alot": "a lot"})
        report = check_text("We read alot", LexiconChecker({"We", "read"}, ["alt"]), rules)
        assert [m.suggestions for m in report.misspellings] == [["a lot", "alt"]]
        assert report.corrected_text == "We read a lot"

    def test_a_case_error_is_corrected_to_the_capitalised_word(self) -> None:
        checker = LexiconChecker({"We", "met", "an", "American"}, ["armenian"])
        report = check_text("We met an american", checker, LanguageRules())
        assert [m.suggestions for m in report.misspellings] == [["American", "armenian"]]
        assert report.corrected_text == "We met an American"
