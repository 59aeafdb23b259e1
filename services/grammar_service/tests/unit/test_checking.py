"""LanguageTool's matches as GrammarMatch: UTF-16 offsets to code points, categories, chunks."""

from __future__ import annotations

import pytest

from grammar_service.domain.checking import (
    SPELLING_CATEGORY,
    Chunk,
    UncheckableText,
    categories_to_disable,
    chunks,
    to_grammar_matches,
    word_count,
)
from grammar_service.domain.offsets import Utf16Offsets
from grammar_service.domain.ports import LanguageToolMatch


def utf16_offset(text: str, code_points: int) -> int:
    """Where LanguageTool (a Java string) says text[code_points] starts."""
    return len(text[:code_points].encode("utf-16-le")) // 2


def lt_match(
    text: str,
    covered: str,
    *,
    category: str = "GRAMMAR",
    issue_type: str = "grammar",
    replacements: list[str] | None = None,
) -> LanguageToolMatch:
    """A match over the first occurrence of `covered`, offsets as LanguageTool counts them."""
    start = text.index(covered)
    begin = utf16_offset(text, start)
    return LanguageToolMatch(
        offset=begin,
        length=utf16_offset(text, start + len(covered)) - begin,
        rule_id="SOME_RULE",
        category=category,
        issue_type=issue_type,
        message="A message.",
        replacements=replacements or [],
    )


class TestUtf16Offsets:
    @pytest.mark.parametrize(
        "text",
        [
            "plain ascii",
            "åäö och é",
            "Great day 😀 we was 😀😀 happy",
            "\U0001d49e\U0001d49e\U0001d4ab was the word",  # mathematical script letters
            "😀",
        ],
    )
    def test_every_position_converts_back_to_its_code_point(self, text: str) -> None:
        offsets = Utf16Offsets(text)
        for code_points in range(len(text) + 1):
            assert offsets.to_code_points(utf16_offset(text, code_points)) == code_points

    def test_an_offset_past_the_end_stays_at_the_end(self) -> None:
        assert Utf16Offsets("ab😀").to_code_points(10) == 3


class TestToGrammarMatches:
    def test_offsets_after_emoji_cover_the_same_words(self) -> None:
        text = "We had fun 🎉🎉 and the students was happy 😀 but he go home."
        found = [lt_match(text, "students was"), lt_match(text, "he go")]
        matches = to_grammar_matches(Chunk(0, text), found, [SPELLING_CATEGORY])
        assert [text[m.start : m.end] for m in matches] == ["students was", "he go"]
        assert [m.text for m in matches] == ["students was", "he go"]

    def test_chunk_offsets_are_added(self) -> None:
        whole = "First part.\n\nThe students was 😀 tired."
        chunk = Chunk(13, whole[13:])
        [match] = to_grammar_matches(chunk, [lt_match(chunk.text, "students was")], [])
        assert whole[match.start : match.end] == match.text == "students was"

    def test_spelling_and_disabled_categories_are_left_out(self) -> None:
        text = "Their techer was to tired and the style is long."
        found = [
            lt_match(text, "techer", category=SPELLING_CATEGORY, issue_type="misspelling"),
            lt_match(text, "style", category="STYLE", issue_type="style"),
            # TO_TOO: issueType misspelling, but a real word used wrongly: reported.
            lt_match(text, "to", category="CONFUSED_WORDS", issue_type="misspelling"),
        ]
        matches = to_grammar_matches(Chunk(0, text), found, ["TYPOS", "STYLE"])
        assert [(m.text, m.category) for m in matches] == [("to", "CONFUSED_WORDS")]

    def test_replacements_are_unique_and_at_most_five(self) -> None:
        text = "He go home."
        many = ["goes", "went", "goes", "will go", "has gone", "had gone", "is going"]
        [match] = to_grammar_matches(Chunk(0, text), [lt_match(text, "go", replacements=many)], [])
        assert match.replacements == ["goes", "went", "will go", "has gone", "had gone"]

    def test_a_match_covering_nothing_is_dropped(self) -> None:
        empty = LanguageToolMatch(3, 0, "R", "GRAMMAR", "grammar", "m", [])
        assert to_grammar_matches(Chunk(0, "Some text."), [empty], []) == []


class TestCategoriesToDisable:
    def test_spelling_is_always_off_and_the_teachers_categories_follow(self) -> None:
        assert categories_to_disable(["style", "PUNCTUATION", "STYLE"]) == [
            "TYPOS",
            "STYLE",
            "PUNCTUATION",
        ]

    def test_values_that_are_no_category_id_are_dropped(self) -> None:
        assert categories_to_disable(["", "A,B", "TYPOGRAPHY"]) == ["TYPOS", "TYPOGRAPHY"]


class TestChunks:
    def test_a_short_text_is_one_chunk(self) -> None:
        assert chunks("Short essay.", 1000) == [Chunk(0, "Short essay.")]

    def test_long_texts_are_cut_after_paragraphs_and_rejoin_exactly(self) -> None:
        paragraph = "This is one sentence of the essay. " * 20 + "\n\n"
        text = paragraph * 30
        pieces = chunks(text, 2000)
        assert len(pieces) > 1
        assert "".join(p.text for p in pieces) == text
        for piece in pieces:
            assert len(piece.text) <= 2000
            assert text[piece.start : piece.start + len(piece.text)] == piece.text
        assert all(p.text.endswith("\n\n") for p in pieces[:-1])

    def test_a_text_without_spaces_is_cut_at_the_limit(self) -> None:
        pieces = chunks("x" * 2500, 1000)
        assert [len(p.text) for p in pieces] == [1000, 1000, 500]


class TestWordCount:
    def test_counts_words_with_letters(self) -> None:
        assert word_count("It's a well-known fact: 42 students wrote 3 essays.", max_chars=100) == 7

    @pytest.mark.parametrize("text", ["", "  \n", "12 34 !!"])
    def test_a_text_without_words_is_uncheckable(self, text: str) -> None:
        with pytest.raises(UncheckableText):
            word_count(text, max_chars=100)

    def test_a_too_long_text_is_uncheckable(self) -> None:
        with pytest.raises(UncheckableText, match="longer than 10"):
            word_count("words " * 5, max_chars=10)
