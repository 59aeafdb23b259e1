"""English and Swedish detection, suggestions and corrected text with the real dictionaries."""

from __future__ import annotations

import pytest

from spellchecker_service.adapters.english_checker import EnglishChecker
from spellchecker_service.adapters.swedish_checker import SwedishChecker
from spellchecker_service.domain.checking import UncheckableText, apply_corrections, check_text
from spellchecker_service.domain.edits import edit_cost
from spellchecker_service.domain.rules import ENGLISH, RULES, SWEDISH

EN_ESSAY = (
    "I think school is important becuase we recieve alot of knowledge. "
    "I don't know why, but I'm sure it's good and we've learned a lot. "
    "My favourite colour is blue, e.g. the sky in Stockholm. Anna's teacher "
    "said that the USA has 50 states. Mail me at erik@example.com or see www.bbc.co.uk."
)
SV_ESSAY = (
    "Jag tycker att skolan är viktig eftersom man lär sig mycket. Kanske tyckte att dom "
    "inte ville. Vi hade fotbollsträning i Malmö med Anna igår, t.ex. på fredagar. "
    "Det var eftersomm roligt men tyvär regnade det. Fortfarnde vill jag spela."
)


# Valid Swedish that spylls (the previous engine) flagged: it gave up on a word whenever one
# reading of it had a FORBIDDENWORD stem ("passande" read as "passanda" + e). All from the
# unmunch-expanded sv_SE word list, where libhunspell and the hunspell CLI accept them.
SPYLLS_FALSE_POSITIVES = [
    "passande",
    "stressande",
    "helgen",
    "strålande",
    "knappast",
    "flygande",
    "säljaren",
    "framträder",
    "lockande",
    "högljutt",
]


def _flagged(text: str, checker: EnglishChecker | SwedishChecker) -> dict[str, list[str]]:
    report = check_text(text, checker, RULES[checker.language])
    return {m.word: m.suggestions for m in report.misspellings}


class TestEnglish:
    def test_learner_misspellings_are_flagged_and_nothing_else(
        self, english: EnglishChecker
    ) -> None:
        assert set(_flagged(EN_ESSAY, english)) == {"becuase", "recieve", "alot"}

    @pytest.mark.parametrize(
        ("typo", "intended"),
        [
            ("becuase", "because"),
            ("recieve", "receive"),
            ("definately", "definitely"),
            ("freind", "friend"),
            ("tommorow", "tomorrow"),
            ("necesary", "necessary"),
            ("alot", "a lot"),
            ("dont", "don't"),
        ],
    )
    def test_intended_word_ranks_first(
        self, english: EnglishChecker, typo: str, intended: str
    ) -> None:
        assert _flagged(f"We {typo} it.", english)[typo][0] == intended

    def test_contractions(self, english: EnglishChecker) -> None:
        for word in ["don't", "I'm", "won't", "can't", "they're", "we'll", "she'd", "isn\u2019t"]:
            assert english.is_correct(word), word
        for word in ["wan't", "dosen't", "get's", "their's"]:
            assert not english.is_correct(word), word

    def test_case_errors_are_corrected(self, english: EnglishChecker) -> None:
        report = check_text("My friend is american, i'm not.", english, ENGLISH)
        assert [m.word for m in report.misspellings] == ["american", "i'm"]
        assert report.corrected_text == "My friend is American, I'm not."

    def test_british_spellings_are_accepted(self, english: EnglishChecker) -> None:
        assert _flagged("My favourite colour, organise and realise.", english) == {}

    def test_corrected_text_keeps_the_first_letters_case(self, english: EnglishChecker) -> None:
        report = check_text("Becuase I recieve it. Thx.", english, ENGLISH)
        assert report.corrected_text.startswith("Because I receive it.")
        assert report.correction_count == len([m for m in report.misspellings if m.suggestions])
        assert report.word_count == 5


class TestSwedish:
    def test_learner_misspellings_are_flagged_and_nothing_else(
        self, swedish: SwedishChecker
    ) -> None:
        assert set(_flagged(SV_ESSAY, swedish)) == {"eftersomm", "tyvär", "Fortfarnde"}

    def test_hunspell_accepts_correct_words_and_productive_compounds(
        self, swedish: SwedishChecker
    ) -> None:
        for word in ["kanske", "eftersom", "dom", "fotbollsträning", "sjukhusbesöket", "Kanske"]:
            assert swedish.is_correct(word), word

    @pytest.mark.parametrize("word", SPYLLS_FALSE_POSITIVES)
    def test_valid_words_the_previous_engine_flagged_are_accepted(
        self, swedish: SwedishChecker, word: str
    ) -> None:
        text = f"Det var {word} i går. {word.capitalize()} var det."
        assert _flagged(text, swedish) == {}

    def test_a_case_error_is_corrected(self, swedish: SwedishChecker) -> None:
        report = check_text("Vi bor i sverige.", swedish, SWEDISH)
        assert report.corrected_text == "Vi bor i Sverige."

    @pytest.mark.parametrize(
        ("typo", "intended"),
        [
            ("eftersomm", "eftersom"),
            ("tyvär", "tyvärr"),
            ("fortfarnde", "fortfarande"),
            ("rolligt", "roligt"),
            ("bättere", "bättre"),
            ("jätteroliggt", "jätteroligt"),
            ("fotbollstränning", "fotbollsträning"),
        ],
    )
    def test_intended_word_ranks_first(
        self, swedish: SwedishChecker, typo: str, intended: str
    ) -> None:
        suggestions = swedish.suggest(typo, 5)
        assert suggestions[0] == intended
        assert all(swedish.is_correct(s) for s in suggestions)

    def test_corrected_text(self, swedish: SwedishChecker) -> None:
        report = check_text("Eftersomm det regnade var det tyvär tråkigt.", swedish, SWEDISH)
        assert report.corrected_text == "Eftersom det regnade var det tyvärr tråkigt."
        assert [(m.start, m.end) for m in report.misspellings] == [(0, 9), (30, 35)]


class TestTextRules:
    def test_empty_text_cannot_be_checked(self, english: EnglishChecker) -> None:
        with pytest.raises(UncheckableText):
            check_text("   \n ", english, ENGLISH)
        with pytest.raises(UncheckableText):
            check_text("123 456 !!", english, ENGLISH)

    def test_apply_corrections_uses_original_offsets(self) -> None:
        from common_core.events import Misspelling

        text = "ab xy cd"
        found = [
            Misspelling(word="xy", start=3, end=5, suggestions=["zzz"]),
            Misspelling(word="cd", start=6, end=8, suggestions=[]),
        ]
        assert apply_corrections(text, found) == ("ab zzz cd", 1)

    def test_known_fixes_are_words_the_dictionaries_reject(
        self, english: EnglishChecker, swedish: SwedishChecker
    ) -> None:
        # A known fix only ranks first; an entry hunspell accepts would never be used.
        assert [w for w in ENGLISH.known_fixes if english.is_correct(w)] == []
        assert [w for w in SWEDISH.known_fixes if swedish.is_correct(w)] == []

    def test_learner_edits_cost_less(self) -> None:
        assert edit_cost("eftersomm", "eftersom") < edit_cost("skolen", "skolan")
        assert edit_cost("tyvär", "tyvärr") < 1.0
