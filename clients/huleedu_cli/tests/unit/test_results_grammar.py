"""`huleedu results` and `batch list`: grammar matches after the spelling flags, and counts."""

from __future__ import annotations

from typing import Any

from huleedu_cli.grammar_views import line_column

WHEN = "2025-03-01T12:05:00+00:00"
TEXT = "My weekend\n\nHe go to school every day. I was to tired to play."
GO = TEXT.index("go to")
TO = TEXT.index("to tired")
AGREEMENT = {
    "start": GO,
    "end": GO + 2,
    "text": "go",
    "rule_id": "HE_VERB_AGR",
    "category": "GRAMMAR",
    "message": "The pronoun 'He' is usually used with a third-person verb: 'goes'.",
    "replacements": ["goes"],
}
TOO = {
    "start": TO,
    "end": TO + 2,
    "text": "to",
    "rule_id": "TO_TOO",
    "category": "CONFUSED_WORDS",
    "message": "Did you mean 'too'?",
    "replacements": ["too"],
}
BECUASE = {"word": "becuase", "start": 0, "end": 7, "suggestions": ["because"]}


def essay(matches: list[dict[str, Any]], grammar: bool = True) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for match in matches:
        counts[match["category"]] = counts.get(match["category"], 0) + 1
    body: dict[str, Any] = {
        "essay_id": "e-1",
        "batch_id": "b-1",
        "user_id": "teacher-1",
        "status": "grammar_succeeded" if grammar else "spellcheck_succeeded",
        "filename": "ali.docx",
        "updated_at": WHEN,
        "spellcheck": {
            "outcome": "success",
            "language": "en",
            "misspellings": [BECUASE],
            "misspelling_count": 1,
            "word_count": 14,
            "completed_at": WHEN,
        },
    }
    if grammar:
        body["grammar"] = {
            "outcome": "success",
            "language": "en",
            "matches": matches,
            "match_count": len(matches),
            "category_counts": counts,
            "completed_at": WHEN,
        }
    return body


ORIGINAL = {
    "essay_id": "e-1",
    "batch_id": "b-1",
    "filename": "ali.docx",
    "text_storage_id": "feed" * 16,
    "char_count": len(TEXT),
    "text": TEXT,
}


def row_of(output: str, text: str) -> list[str]:
    line = next(line for line in output.splitlines() if text in line)
    return [cell.strip() for cell in line.split("│")[1:-1]]


class TestOneEssay:
    def test_grammar_matches_follow_the_spelling_flags(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", detail=essay([AGREEMENT, TOO]))

        result = cli("results", "b-1", "e-1")

        assert result.exit_code == 0, result.output
        out = result.stdout
        assert out.index("Misspellings") < out.index("Grammar")
        assert "grammar success (en): 2 matches (1 CONFUSED_WORDS, 1 GRAMMAR)" in out
        assert row_of(out, "third-person")[:4] == [
            "go",
            "GRAMMAR",
            f"{GO}-{GO + 2}",
            "goes",
        ]
        assert row_of(out, "Did you mean")[:4] == ["to", "CONFUSED_WORDS", f"{TO}-{TO + 2}", "too"]

    def test_a_spellcheck_only_essay_shows_no_grammar_section(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", detail=essay([], grammar=False))

        result = cli("results", "b-1", "e-1")

        assert result.exit_code == 0, result.output
        assert "grammar" not in result.stdout.lower().replace("spellcheck_succeeded", "")

    def test_the_original_text_gives_each_match_its_line_and_column(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", original=ORIGINAL, detail=essay([AGREEMENT, TOO]))

        result = cli("results", "b-1", "e-1", "--original")

        assert result.exit_code == 0, result.output
        assert "grammar matches marked 2" in result.stdout
        assert row_of(result.stdout, "third-person")[2] == f"3:4 ({GO}-{GO + 2})"

    def test_offsets_that_miss_their_text_are_not_marked(self, cli: Any) -> None:
        cli.signed_in()
        shifted = {**AGREEMENT, "start": GO + 1, "end": GO + 3}
        cli.gateway.add_batch("b-1", original=ORIGINAL, detail=essay([shifted]))

        result = cli("results", "b-1", "e-1", "--original")

        assert result.exit_code == 0, result.output
        assert "grammar matches marked 0" in result.stdout


def test_line_column_counts_from_one_after_each_newline() -> None:
    assert line_column(TEXT, 0) == "1:1"
    assert line_column(TEXT, GO) == "3:4"
    assert line_column("å\nä ö", 4) == "2:3"


class TestBatch:
    def test_the_results_count_grammar_matches_per_essay_and_for_the_batch(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch(
            "b-1",
            status="completed",
            processed_essay_count=2,
            grammar_category_counts={"GRAMMAR": 3, "STYLE": 1},
            essays=[
                {"essay_id": "e-1", "status": "grammar_succeeded", "filename": "ali.docx",
                 "grammar_match_count": 3, "grammar_category_counts": {"GRAMMAR": 2, "STYLE": 1},
                 "updated_at": WHEN},
                {"essay_id": "e-2", "status": "grammar_succeeded", "filename": "bo.docx",
                 "grammar_match_count": 1, "grammar_category_counts": {"GRAMMAR": 1},
                 "updated_at": WHEN},
                {"essay_id": "e-3", "status": "spellcheck_failed", "filename": "cy.docx",
                 "updated_at": WHEN},
            ],
        )  # fmt: skip

        result = cli("results", "b-1")

        assert result.exit_code == 0, result.output
        assert "grammar matches 4 (3 GRAMMAR, 1 STYLE)" in result.stdout
        assert row_of(result.stdout, "ali.docx")[-2:] == ["3", "2 GRAMMAR, 1 STYLE"]
        assert row_of(result.stdout, "bo.docx")[-2:] == ["1", "1 GRAMMAR"]
        assert row_of(result.stdout, "cy.docx")[-2:] == ["—", "—"]

    def test_the_list_shows_each_batchs_grammar_matches(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", grammar_category_counts={"PUNCTUATION": 2, "GRAMMAR": 5})
        cli.gateway.add_batch("b-2")

        result = cli("batch", "list")

        assert result.exit_code == 0, result.output
        grammar = 8  # after batch id, course, status, essays, processed, failed, rejected, flagged
        assert row_of(result.stdout, "b-1")[grammar] == "5 GRAMMAR, 2 PUNCTUATION"
        assert row_of(result.stdout, "b-2")[grammar] == "0"
