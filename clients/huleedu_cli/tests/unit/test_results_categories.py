"""`huleedu results` and `batch list|status`: why each word was flagged, and counts per category."""

from __future__ import annotations

from typing import Any

WHEN = "2025-03-01T12:05:00+00:00"
# "Vi spelade fotbolls match i göteborg igårr."
COMPOUND = {
    "word": "fotbolls match",
    "start": 11,
    "end": 25,
    "suggestions": ["fotbollsmatch"],
    "category": "compound",
    "explanation": "Sammansatta ord skrivs ihop: fotbollsmatch.",
}
CAPITAL = {
    "word": "göteborg",
    "start": 28,
    "end": 36,
    "suggestions": ["Göteborg"],
    "category": "capitalisation",
    "explanation": "Ortnamn skrivs med stor bokstav.",
}
OLD_STYLE = {"word": "igårr", "start": 37, "end": 42, "suggestions": ["igår"]}  # no category


def essay(misspellings: list[dict[str, Any]], counts: dict[str, int]) -> dict[str, Any]:
    return {
        "essay_id": "e-1",
        "batch_id": "b-1",
        "user_id": "teacher-1",
        "status": "completed",
        "filename": "sara.docx",
        "updated_at": WHEN,
        "spellcheck": {
            "outcome": "success",
            "language": "sv",
            "misspellings": misspellings,
            "misspelling_count": len(misspellings),
            "category_counts": counts,
            "word_count": 7,
            "completed_at": WHEN,
        },
    }


def summary(essay_id: str, filename: str, counts: dict[str, int] | None) -> dict[str, Any]:
    return {
        "essay_id": essay_id,
        "status": "completed" if counts is not None else "awaiting_content",
        "filename": filename,
        "misspelling_count": sum(counts.values()) if counts is not None else None,
        "category_counts": counts,
        "updated_at": WHEN,
    }


def row_of(output: str, text: str) -> list[str]:
    line = next(line for line in output.splitlines() if text in line)
    return [cell.strip() for cell in line.split("│")[1:-1]]


class TestOneEssay:
    def test_each_flag_shows_its_category_and_why(self, cli: Any) -> None:
        cli.signed_in()
        flags = [COMPOUND, CAPITAL, OLD_STYLE]
        counts = {"spelling": 1, "compound": 1, "capitalisation": 1}
        cli.gateway.add_batch("b-1", detail=essay(flags, counts))

        result = cli("results", "b-1", "e-1")

        assert result.exit_code == 0, result.output
        assert "3 misspellings (1 spelling, 1 compound, 1 capitalisation)" in result.stdout
        assert row_of(result.stdout, "fotbolls match") == [
            "fotbolls match",
            "compound",
            "11-25",
            "fotbollsmatch",
            "Sammansatta ord skrivs ihop: fotbollsmatch.",
        ]
        assert row_of(result.stdout, "göteborg")[1] == "capitalisation"
        # A flag from before categories is a spelling, with nothing more to explain.
        assert row_of(result.stdout, "igårr") == ["igårr", "spelling", "37-42", "igår", "—"]

    def test_categories_without_flags_are_counted_as_zero(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", detail=essay([COMPOUND], {"compound": 1}))

        result = cli("results", "b-1", "e-1")

        assert result.exit_code == 0, result.output
        assert "(0 spelling, 1 compound, 0 capitalisation)" in result.stdout


class TestBatch:
    def test_results_count_per_category_per_essay_and_for_the_batch(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch(
            "b-1",
            status="completed",
            processed_essay_count=2,
            category_counts={"spelling": 3, "compound": 1, "capitalisation": 0},
            essays=[
                summary("e-1", "sara.docx", {"spelling": 1, "compound": 1}),
                summary("e-2", "olle.docx", {"spelling": 2}),
                summary("e-3", "tom.docx", None),
            ],
        )

        result = cli("results", "b-1")

        assert result.exit_code == 0, result.output
        assert "flagged words 3 spelling, 1 compound, 0 capitalisation" in result.stdout
        assert row_of(result.stdout, "sara.docx")[3:5] == ["2", "1 spelling, 1 compound"]
        assert row_of(result.stdout, "olle.docx")[3:5] == ["2", "2 spelling"]
        assert row_of(result.stdout, "tom.docx")[3:5] == ["—", "—"]

    def test_a_batch_without_results_shows_no_flag_line(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="awaiting_content")

        result = cli("batch", "status", "b-1")

        assert result.exit_code == 0, result.output
        assert "flagged words" not in result.stdout

    def test_the_list_shows_each_batchs_flagged_words(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", category_counts={"spelling": 4, "compound": 2})
        cli.gateway.add_batch("b-2")

        result = cli("batch", "list")

        assert result.exit_code == 0, result.output
        flagged = 7  # batch id, course, status, essays, processed, failed, rejected, flagged
        assert row_of(result.stdout, "b-1")[flagged] == "4 spelling, 2 compound"
        assert row_of(result.stdout, "b-2")[flagged] == "0"
