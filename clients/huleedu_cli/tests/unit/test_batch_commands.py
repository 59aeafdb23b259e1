"""`huleedu batch ...`, `huleedu results` and `huleedu pipeline run` (without --watch)."""

from __future__ import annotations

import json
from typing import Any

ESSAY = {
    "essay_id": "e-1",
    "batch_id": "b-1",
    "user_id": "teacher-1",
    "status": "completed",
    "filename": "anna.txt",
    "updated_at": "2025-03-01T12:05:00+00:00",
    "spellcheck": {
        "outcome": "success",
        "language": "en",
        "misspellings": [{"word": "recieve", "start": 4, "end": 11, "suggestions": ["receive"]}],
        "misspelling_count": 1,
        "correction_count": 1,
        "word_count": 57,
        "corrected_text": "I receive letters.",
        "completed_at": "2025-03-01T12:05:00+00:00",
    },
}
SUMMARY = {
    "essay_id": "e-1",
    "status": "completed",
    "filename": "anna.txt",
    "misspelling_count": 1,
    "category_counts": {"spelling": 1},
    "correction_count": 1,
    "word_count": 57,
    "updated_at": "2025-03-01T12:05:00+00:00",
}


class TestRegister:
    def test_registers_and_prints_the_batch_id(self, cli: Any) -> None:
        cli.signed_in()

        result = cli(
            "batch", "register", "--course", "eng5", "--count", "3", "--instructions", "Essay"
        )

        assert result.exit_code == 0, result.output
        assert "Registered batch b-1 (ENG5, 3 essays expected" in result.stdout
        assert cli.gateway.batches["b-1"]["expected_essay_count"] == 3

    def test_json_output_is_the_gateway_answer(self, cli: Any) -> None:
        cli.signed_in()

        result = cli(
            "--json", "batch", "register", "--course", "SV1", "--count", "2",
            "--instructions", "Uppsats", "--class-id", "class-7",
        )  # fmt: skip

        body = json.loads(result.stdout)
        assert body["batch_id"] == "b-1"
        assert body["class_id"] == "class-7"
        assert body["essay_ids"] == ["e-0", "e-1"]

    def test_unknown_course_is_a_usage_error(self, cli: Any) -> None:
        cli.signed_in()

        result = cli("batch", "register", "--course", "MA1", "--count", "3", "--instructions", "x")

        assert result.exit_code == 2
        assert not cli.gateway.batches


class TestListAndStatus:
    def test_list_shows_a_table_and_passes_the_filters(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="completed")
        cli.gateway.add_batch("b-2", status="processing")

        result = cli("batch", "list", "--status", "processing", "--limit", "5")

        assert result.exit_code == 0, result.output
        assert "b-2" in result.stdout
        assert "b-1" not in result.stdout
        assert "of 1" in result.stdout

    def test_list_json_is_the_batch_list(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1")

        body = json.loads(cli("--json", "batch", "list", "--offset", "0").stdout)

        assert body["total"] == 1
        assert body["items"][0]["batch_id"] == "b-1"

    def test_status_shows_summary_and_essays(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing", essays=[SUMMARY])

        result = cli("batch", "status", "b-1")

        assert result.exit_code == 0, result.output
        assert "processing" in result.stdout
        assert "anna.txt" in result.stdout


class TestResults:
    def test_batch_results_table(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="completed", essays=[SUMMARY])

        result = cli("results", "b-1")

        row = next(line for line in result.stdout.splitlines() if "anna.txt" in line)
        assert result.exit_code == 0
        cells = [cell.strip() for cell in row.split("│")[1:-1]]
        assert result.exit_code == 0
        assert cells == ["e-1", "anna.txt", "completed", "1", "1 spelling", "1", "57", "—", "—"]

    def test_one_essay_shows_misspellings_suggestions_and_corrected_text(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", detail=ESSAY)

        result = cli("results", "b-1", "e-1")

        assert result.exit_code == 0, result.output
        assert "recieve" in result.stdout
        assert "receive" in result.stdout
        assert "I receive letters." in result.stdout

    def test_one_essay_json(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", detail=ESSAY)

        body = json.loads(cli("--json", "results", "b-1", "e-1").stdout)

        assert body["spellcheck"]["misspellings"][0]["suggestions"] == ["receive"]

    def test_unknown_essay(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", detail=ESSAY)

        result = cli("results", "b-1", "e-404")

        assert result.exit_code == 1
        assert "Essay not found (ESSAY_NOT_FOUND)" in result.stderr


class TestPipelineRun:
    def test_requests_the_pipeline(self, cli: Any) -> None:
        cli.signed_in()

        result = cli("--json", "pipeline", "run", "b-1")

        assert result.exit_code == 0
        assert json.loads(result.stdout)["request_id"] == "req-1"
        assert cli.gateway.pipeline_requests == [{"pipeline": "spellcheck"}]

    def test_not_ready_is_explained(self, cli: Any, api_error: Any) -> None:
        cli.signed_in()
        cli.gateway.fail(
            "POST /v1/batches/{batch_id}/pipelines",
            api_error(409, "PIPELINE_NOT_READY", "Essays are still missing."),
        )

        result = cli("pipeline", "run", "b-1")

        assert result.exit_code == 1
        assert "not ready for processing yet (PIPELINE_NOT_READY)" in result.stderr
        assert "[correlation id corr-123]" in result.stderr
