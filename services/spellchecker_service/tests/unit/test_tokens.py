"""Tokenisation keeps offsets; numbers, URLs, emails, acronyms, letters and names are skipped."""

from __future__ import annotations

from spellchecker_service.domain.tokens import (
    Skip,
    capitalised_mid_sentence,
    protected_spans,
    skip_reason,
    tokenize,
)


def _skips(text: str) -> dict[str, Skip | None]:
    tokens = tokenize(text)
    protected = protected_spans(text)
    names = capitalised_mid_sentence(tokens)
    return {t.word: skip_reason(t, protected, names) for t in tokens}


class TestTokenize:
    def test_offsets_point_into_the_original_text(self) -> None:
        text = "Hej, jag heter Åsa!  I don't know… t.ex. 15-year-old"
        tokens = tokenize(text)
        assert [t.word for t in tokens] == [
            "Hej", "jag", "heter", "Åsa", "I", "don't", "know", "t.ex", "15", "year", "old",
        ]  # fmt: skip
        for token in tokens:
            assert text[token.start : token.end] == token.word

    def test_typographic_apostrophe_stays_inside_the_word(self) -> None:
        assert [t.word for t in tokenize("I don\u2019t know")] == ["I", "don\u2019t", "know"]

    def test_sentence_starts(self) -> None:
        text = 'First word. Second one! "Third" here\nFourth line, and Fifth.'
        initial = {t.word: t.sentence_initial for t in tokenize(text)}
        assert [w for w, first in initial.items() if first] == [
            "First", "Second", "Third", "Fourth",
        ]  # fmt: skip


class TestSkipRules:
    def test_numbers_and_tokens_with_digits(self) -> None:
        skips = _skips("We met 2023 at covid19 and 3rd place.")
        assert skips["2023"] is Skip.NUMBER
        assert skips["covid19"] is Skip.NUMBER
        assert skips["3rd"] is Skip.NUMBER
        assert skips["place"] is None

    def test_urls_and_emails(self) -> None:
        skips = _skips("Read https://www.skolverket.se/kursplan or mail anna.svensson@skola.se now")
        assert skips["www.skolverket.se"] is Skip.URL_OR_EMAIL
        assert skips["kursplan"] is Skip.URL_OR_EMAIL
        assert skips["anna.svensson"] is Skip.URL_OR_EMAIL
        assert skips["skola.se"] is Skip.URL_OR_EMAIL
        assert skips["now"] is None

    def test_acronyms_and_single_letters(self) -> None:
        skips = _skips("The EU and NATO, i think, and a plan.")
        assert skips["EU"] is Skip.ACRONYM
        assert skips["NATO"] is Skip.ACRONYM
        assert skips["i"] is Skip.SINGLE_LETTER
        assert skips["a"] is Skip.SINGLE_LETTER

    def test_capitalised_words_mid_sentence_are_names(self) -> None:
        skips = _skips("Igår åkte Anna till Malmö. Sedan kom Kalleberg hem.")
        assert skips["Anna"] is Skip.NAME
        assert skips["Malmö"] is Skip.NAME
        assert skips["Kalleberg"] is Skip.NAME
        assert skips["Igår"] is None  # sentence-initial: checked
        assert skips["Sedan"] is None

    def test_sentence_initial_name_seen_elsewhere_is_a_name(self) -> None:
        skips = _skips("Zlatan scored. Everyone loves Zlatan.")
        assert skips["Zlatan"] is Skip.NAME
