"""`huleedu results BATCH ESSAY --original`: the uploaded text with its misspellings marked."""

from __future__ import annotations

import json
from typing import Any

ORIGINAL_TEXT = (
    "Name: Karin Sjöberg\n\nMy dream job\n\nI would like to work as a vet becuase I love "
    "animals. Last summer I helped at a stable and it was the best weeks of my life."
)
START = ORIGINAL_TEXT.index("becuase")
ORIGINAL = {
    "essay_id": "e-1",
    "batch_id": "b-1",
    "file_upload_id": "f-1",
    "filename": "karin.docx",
    "text_storage_id": "c0ffee" * 10 + "abcd",
    "char_count": len(ORIGINAL_TEXT),
    "text": ORIGINAL_TEXT,
}


def essay_with(misspellings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "essay_id": "e-1",
        "batch_id": "b-1",
        "user_id": "teacher-1",
        "status": "completed",
        "filename": "karin.docx",
        "updated_at": "2025-03-01T12:05:00+00:00",
        "spellcheck": {
            "outcome": "success",
            "language": "en",
            "misspellings": misspellings,
            "misspelling_count": len(misspellings),
            "completed_at": "2025-03-01T12:05:00+00:00",
        },
    }


BECUASE = {"word": "becuase", "start": START, "end": START + 7, "suggestions": ["because"]}


class TestOriginalText:
    def test_shows_the_uploaded_text_and_marks_the_misspellings(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", original=ORIGINAL, detail=essay_with([BECUASE]))

        result = cli("results", "b-1", "e-1", "--original")

        assert result.exit_code == 0, result.output
        assert "Original text" in result.stdout
        assert "I would like to work as a vet becuase I love" in result.stdout
        assert "misspellings marked 1" in result.stdout
        assert ORIGINAL["text_storage_id"] in result.stdout

    def test_offsets_that_do_not_point_at_the_word_are_not_marked(self, cli: Any) -> None:
        cli.signed_in()
        shifted = {**BECUASE, "start": START + 2, "end": START + 9}
        cli.gateway.add_batch("b-1", original=ORIGINAL, detail=essay_with([shifted]))

        result = cli("results", "b-1", "e-1", "--original")

        assert result.exit_code == 0, result.output
        assert "misspellings marked 0" in result.stdout

    def test_json_is_the_gateway_answer(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", original=ORIGINAL)

        result = cli("--json", "results", "b-1", "e-1", "--original")

        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert body == ORIGINAL
        assert body["text"][START : START + 7] == "becuase"

    def test_without_an_essay_it_is_a_usage_error(self, cli: Any) -> None:
        cli.signed_in()

        result = cli("results", "b-1", "--original")

        assert result.exit_code == 2
        assert "--original needs an ESSAY_ID" in result.stderr

    def test_an_unknown_essay_is_reported(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", original=ORIGINAL)

        result = cli("results", "b-1", "e-404", "--original")

        assert result.exit_code == 1
        assert "Essay not found (ESSAY_NOT_FOUND)" in result.stderr
