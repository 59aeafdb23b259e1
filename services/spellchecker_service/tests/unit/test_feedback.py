"""Compounds written apart, capitalisation, ranking, categories and explanations, with the
real dictionaries and wordfreq, on sentences written for these tests."""

from __future__ import annotations

from common_core.enums import FlagCategory
from common_core.events import EssaySpellcheckCompletedV1, Misspelling
from spellchecker_service.adapters.english_checker import EnglishChecker
from spellchecker_service.adapters.swedish_checker import SwedishChecker
from spellchecker_service.domain.checking import apply_corrections, check_text
from spellchecker_service.domain.edits import edit_cost
from spellchecker_service.domain.rules import ENGLISH, SWEDISH


def _flags(text: str, checker: SwedishChecker | EnglishChecker) -> list[tuple[str, str, str]]:
    rules = SWEDISH if isinstance(checker, SwedishChecker) else ENGLISH
    return [
        (m.word, m.suggestions[0] if m.suggestions else "", m.category.value)
        for m in check_text(text, checker, rules).misspellings
    ]


class TestSplitCompounds:
    def test_a_compound_written_apart_is_one_flag_over_both_words(
        self, swedish: SwedishChecker
    ) -> None:
        text = "Min moster är sjuk sköterska på sjukhuset."
        report = check_text(text, swedish, SWEDISH)
        [flag] = report.misspellings
        assert (flag.word, flag.start, flag.end) == ("sjuk sköterska", 14, 28)
        assert flag.suggestions == ["sjuksköterska"]
        assert flag.category is FlagCategory.COMPOUND
        assert flag.explanation == "Sammansatta ord skrivs ihop: sjuksköterska."
        assert report.corrected_text == "Min moster är sjuksköterska på sjukhuset."

    def test_a_linking_s_and_an_intensifying_prefix(self, swedish: SwedishChecker) -> None:
        assert _flags("Hon söker ett heltid jobb nu.", swedish) == [
            ("heltid jobb", "heltidsjobb", "compound")
        ]
        assert _flags("Filmen var jätte bra.", swedish) == [("jätte bra", "jättebra", "compound")]
        assert _flags("Jätte bra skrivet.", swedish) == [("Jätte bra", "Jättebra", "compound")]

    def test_words_that_belong_apart_are_left_alone(self, swedish: SwedishChecker) -> None:
        for text in (
            "Jag läser en bok.",
            "Det var lite mer kallt i går.",
            "Vi åt efter middagen.",
            "Hon bor i en stor stad.",
            "Han kom för att hjälpa oss.",
            "Anna Berg och Per Holm kom i tid.",
        ):
            assert _flags(text, swedish) == [], text

    def test_a_decade_is_joined_by_a_hyphen(self, swedish: SwedishChecker) -> None:
        assert _flags("Huset byggdes på 1800 talet.", swedish) == [
            ("1800 talet", "1800-talet", "compound")
        ]
        assert _flags("Vi löste 20 tal på provet.", swedish) == []

    def test_a_compound_keeping_three_letters_is_correct(self, swedish: SwedishChecker) -> None:
        assert _flags("Vi möts vid bussstationen.", swedish) == []
        assert _flags("Vi möts vid busstationen.", swedish) == []


class TestCapitalisation:
    def test_a_sentence_starting_in_lower_case(self, swedish: SwedishChecker) -> None:
        report = check_text("Jag är trött. det regnar.", swedish, SWEDISH)
        [flag] = report.misspellings
        assert (flag.word, flag.suggestions, flag.category) == (
            "det",
            ["Det"],
            FlagCategory.CAPITALISATION,
        )
        assert flag.explanation == "En mening börjar med stor bokstav."
        assert report.corrected_text == "Jag är trött. Det regnar."

    def test_no_sentence_starts_after_an_abbreviation_or_a_colon(
        self, swedish: SwedishChecker
    ) -> None:
        assert _flags("Vi köpte frukt, t.ex. äpplen och päron.", swedish) == []
        assert _flags("Hon sa följande: det går bra.", swedish) == []

    def test_nationalities_languages_and_weekdays_are_lower_case(
        self, swedish: SwedishChecker
    ) -> None:
        flags = check_text("Jag läser Engelska på Måndag med en Svensk lärare.", swedish, SWEDISH)
        assert [(m.word, m.suggestions[0]) for m in flags.misspellings] == [
            ("Engelska", "engelska"),
            ("Måndag", "måndag"),
            ("Svensk", "svensk"),
        ]
        assert flags.misspellings[0].explanation == (
            "Nationaliteter och språk skrivs med liten bokstav på svenska."
        )
        assert (
            flags.misspellings[1].explanation == "Veckodagar skrivs med liten bokstav på svenska."
        )

    def test_a_common_word_capitalised_inside_a_sentence(self, swedish: SwedishChecker) -> None:
        assert _flags("Jag var sjuk, Alltså stannade jag hemma.", swedish) == [
            ("Alltså", "alltså", "capitalisation")
        ]

    def test_a_word_after_a_capitalised_sentence_start_is_judged(
        self, swedish: SwedishChecker
    ) -> None:
        assert _flags("Men Det går inte.", swedish) == [("Det", "det", "capitalisation")]
        assert _flags("Harry Potter är en bok.", swedish) == []

    def test_names_stay_capitalised(self, swedish: SwedishChecker) -> None:
        for text in (
            "I morse träffade jag Per och Björn i Göteborg.",
            "Hon fick ett brev från Svenska Akademien.",
            "Vi läste boken ”Bröderna Lejonhjärta” i skolan.",
            "Eleven Hans Lund skrev bäst.",
        ):
            assert _flags(text, swedish) == [], text

    def test_a_name_in_lower_case_is_a_capitalisation_error(self, swedish: SwedishChecker) -> None:
        report = check_text("Vi reste till sverige och göteborg.", swedish, SWEDISH)
        assert [(m.suggestions[0], m.category) for m in report.misspellings] == [
            ("Sverige", FlagCategory.CAPITALISATION),
            ("Göteborg", FlagCategory.CAPITALISATION),
        ]
        assert report.misspellings[0].explanation == (
            "Namn på personer, länder och städer skrivs med stor bokstav."
        )

    def test_english_keeps_its_own_conventions(self, english: EnglishChecker) -> None:
        assert _flags("We speak English on Monday.", english) == []
        assert _flags("We met. they were late.", english) == [("they", "They", "capitalisation")]
        assert _flags("We met an american.", english) == [
            ("american", "American", "capitalisation")
        ]


class TestRanking:
    def test_learner_slips_cost_less_than_other_edits(self) -> None:
        assert edit_cost("gammal", "gamal") < edit_cost("gammal", "gambal")
        assert edit_cost("för", "fär") < edit_cost("för", "fur")  # ä/ö look alike
        assert edit_cost("hus", "hud") < edit_cost("hus", "hum")  # keyboard neighbours

    def test_the_common_word_comes_first(self, swedish: SwedishChecker) -> None:
        assert swedish.suggest("kanse", 3)[0] == "kanske"
        assert swedish.suggest("mycke", 3)[0] == "mycket"
        assert swedish.suggest("männskor", 3)[0] == "människor"

    def test_english_suggestions_prefer_common_words(self, english: EnglishChecker) -> None:
        assert english.suggest("becuase", 3)[0] == "because"
        assert english.suggest("freind", 3)[0] == "friend"

    def test_a_common_word_two_edits_away_when_every_near_form_is_rare(
        self, swedish: SwedishChecker
    ) -> None:
        assert "genom" in swedish.suggest("engom", 5)  # one edit: only "enkom", "inom"

    def test_a_name_is_suggested_first_only_when_likelier_than_a_fix(
        self, english: EnglishChecker
    ) -> None:
        assert _flags("We will see what I wil do.", english) == [("wil", "will", "spelling")]
        assert _flags("We met an american.", english)[0][1] == "American"


class TestCategories:
    def test_plain_spelling_has_no_explanation(self, swedish: SwedishChecker) -> None:
        [flag] = check_text("Hon är gamal nu.", swedish, SWEDISH).misspellings
        assert (flag.suggestions[0], flag.category, flag.explanation) == (
            "gammal",
            FlagCategory.SPELLING,
            "",
        )

    def test_a_word_that_is_several_words(self, english: EnglishChecker) -> None:
        [flag] = check_text("We read alot.", english, ENGLISH).misspellings
        assert (flag.suggestions[0], flag.category) == ("a lot", FlagCategory.COMPOUND)
        assert flag.explanation == "Skrivs som flera ord: a lot."

    def test_categories_survive_the_event_and_the_stored_json(
        self, swedish: SwedishChecker
    ) -> None:
        report = check_text("Hon är sjuk sköterska i sverige.", swedish, SWEDISH)
        stored = [m.model_dump(mode="json") for m in report.misspellings]  # spellcheck_results
        assert [Misspelling.model_validate(m) for m in stored] == report.misspellings
        event = EssaySpellcheckCompletedV1(
            batch_id="b",
            essay_id="e",
            outcome="success",
            language="sv",
            original_text_storage_id="t",
            misspellings=report.misspellings,
        )
        again = EssaySpellcheckCompletedV1.model_validate_json(event.model_dump_json())
        assert [(m.category, m.explanation) for m in again.misspellings] == [
            (FlagCategory.COMPOUND, "Sammansatta ord skrivs ihop: sjuksköterska."),
            (
                FlagCategory.CAPITALISATION,
                "Namn på personer, länder och städer skrivs med stor bokstav.",
            ),
        ]

    def test_a_two_word_span_is_replaced_whole(self) -> None:
        text = "Hon är sjuk sköterska."
        flag = Misspelling(word="sjuk sköterska", start=7, end=21, suggestions=["sjuksköterska"])
        assert apply_corrections(text, [flag]) == ("Hon är sjuksköterska.", 1)
