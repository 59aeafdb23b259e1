"""`huleedu pipeline run`: one request key per run, 503s retried under it, bounded."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from huleedu_cli.pipeline_request import RetryPolicy

UNCONFIRMED = "The pipeline request could not be confirmed; retrying with the same key is safe."


def unconfirmed(api_error: Any) -> Any:
    """The gateway's 503 for a publish the broker did not confirm (Retry-After 0: no waiting)."""
    return api_error(
        503,
        "SERVICE_UNAVAILABLE",
        UNCONFIRMED,
        {"outcome": "unknown", "retry_safe": True},
        **{"Retry-After": "0"},
    )


class TestRequestKeys:
    def test_each_run_sends_a_fresh_key(self, cli: Any) -> None:
        cli.signed_in()

        assert cli("pipeline", "run", "b-1").exit_code == 0
        assert cli("pipeline", "run", "b-1").exit_code == 0

        first, second = cli.gateway.pipeline_keys
        assert uuid.UUID(first).version == uuid.UUID(second).version == 4
        assert first != second

    def test_a_given_key_is_sent_as_it_is(self, cli: Any) -> None:
        cli.signed_in()

        result = cli("--json", "pipeline", "run", "b-1", "--idempotency-key", "term-2-run")

        assert result.exit_code == 0, result.output
        assert cli.gateway.pipeline_keys == ["term-2-run"]
        assert json.loads(result.stdout)["idempotency_key"] == "term-2-run"


class TestRetries:
    def test_503s_are_retried_under_the_same_key_until_confirmed(
        self, cli: Any, api_error: Any
    ) -> None:
        cli.signed_in()
        cli.gateway.pipeline_answers = [unconfirmed(api_error), unconfirmed(api_error)]

        result = cli("pipeline", "run", "b-1")

        assert result.exit_code == 0, result.output
        keys = cli.gateway.pipeline_keys
        assert len(keys) == 3
        assert len(set(keys)) == 1
        assert "Attempt 1 of 4" in result.stderr
        assert "Attempt 2 of 4" in result.stderr
        assert f"with the same request key {keys[0]}" in result.stderr
        assert "may or may not run" in result.stderr
        assert "Confirmed on attempt 3 of 4." in result.stdout
        assert "Pipeline spellcheck requested for batch b-1 (request req-1)." in result.stdout

    def test_it_gives_up_after_the_attempts_and_names_the_key_to_retry_with(
        self, cli: Any, api_error: Any
    ) -> None:
        cli.signed_in()
        cli.gateway.pipeline_answers = [unconfirmed(api_error) for _ in range(5)]

        result = cli("pipeline", "run", "b-1", "--attempts", "2")

        assert result.exit_code == 1
        [key, again] = cli.gateway.pipeline_keys
        assert key == again
        assert "could not be confirmed after 2 attempt(s)" in result.stderr
        assert f"--idempotency-key {key}" in result.stderr

    def test_giving_up_in_json_mode_puts_the_key_in_the_error_body(
        self, cli: Any, api_error: Any
    ) -> None:
        cli.signed_in()
        cli.gateway.pipeline_answers = [unconfirmed(api_error)]

        result = cli("--json", "pipeline", "run", "b-1", "--attempts", "1")

        assert result.exit_code == 1
        error = json.loads(result.stderr)["error"]
        assert error["code"] == "SERVICE_UNAVAILABLE"
        assert error["details"]["idempotency_key"] == cli.gateway.pipeline_keys[0]
        assert error["details"]["attempts"] == 1
        assert result.stdout == ""

    def test_a_refusal_is_not_retried(self, cli: Any, api_error: Any) -> None:
        cli.signed_in()
        cli.gateway.pipeline_answers = [
            api_error(409, "PIPELINE_ALREADY_RUNNING", "A pipeline is already running.")
        ]

        result = cli("pipeline", "run", "b-1")

        assert result.exit_code == 1
        assert len(cli.gateway.pipeline_keys) == 1
        assert "PIPELINE_ALREADY_RUNNING" in result.stderr

    def test_a_replayed_acceptance_is_explained(self, cli: Any, api_error: Any) -> None:
        cli.signed_in()
        cli.gateway.pipeline_answers = [unconfirmed(api_error)]
        replay = {
            "batch_id": "b-1",
            "pipeline": "spellcheck",
            "request_id": "req-first",
            "idempotency_key": "k",
            "replayed": True,
            "correlation_id": "corr-first",
        }
        cli.gateway.pipeline_answers.append(replay)

        result = cli("pipeline", "run", "b-1", "--idempotency-key", "k")

        assert result.exit_code == 0, result.output
        assert "had already been accepted" in result.stdout
        assert "(request req-first); it runs once." in result.stdout


@pytest.mark.parametrize(
    ("attempt", "retry_after", "expected"),
    [(1, None, 1.0), (2, None, 2.0), (3, None, 4.0), (7, None, 30.0), (1, 5, 5.0), (1, 90, 30.0)],
)
def test_backoff_follows_retry_after_and_is_capped(
    attempt: int, retry_after: int | None, expected: float
) -> None:
    assert RetryPolicy().delay(attempt, retry_after) == expected
