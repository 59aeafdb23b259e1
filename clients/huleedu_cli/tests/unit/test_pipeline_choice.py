"""`huleedu pipeline run --pipeline ... --disable-category ...`: the body the gateway gets."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.unit


def unconfirmed(api_error: Any) -> Any:
    """The gateway's 503 for a publish the broker did not confirm (Retry-After 0: no waiting)."""
    return api_error(
        503,
        "SERVICE_UNAVAILABLE",
        "The pipeline request could not be confirmed; retrying with the same key is safe.",
        {"outcome": "unknown", "retry_safe": True},
        **{"Retry-After": "0"},
    )


def test_the_default_is_spellcheck_with_the_body_it_always_had(cli: Any) -> None:
    cli.signed_in()

    result = cli("pipeline", "run", "b-1")

    assert result.exit_code == 0, result.output
    assert cli.gateway.pipeline_requests == [{"pipeline": "spellcheck"}]


def test_grammar_with_categories_switched_off(cli: Any) -> None:
    cli.signed_in()

    result = cli(
        "pipeline",
        "run",
        "b-1",
        "--pipeline",
        "spellcheck+grammar",
        "--disable-category",
        "STYLE",
        "--disable-category",
        "typography",
        "--disable-category",
        "style",
    )

    assert result.exit_code == 0, result.output
    assert cli.gateway.pipeline_requests == [
        {"pipeline": "spellcheck+grammar", "disabled_grammar_categories": ["STYLE", "TYPOGRAPHY"]}
    ]
    assert "Pipeline spellcheck+grammar requested for batch b-1" in result.stdout
    assert "Grammar categories switched off: STYLE, TYPOGRAPHY." in result.stdout


def test_json_output_shows_the_categories(cli: Any) -> None:
    cli.signed_in()

    result = cli(
        "--json",
        "pipeline",
        "run",
        "b-1",
        "--pipeline",
        "spellcheck+grammar",
        "--disable-category",
        "CASING",
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["disabled_grammar_categories"] == ["CASING"]


@pytest.mark.parametrize(
    "arguments",
    [
        ["--pipeline", "grammar"],
        ["--pipeline", "spellcheck+grammar", "--disable-category", "TYPOS"],
        ["--disable-category", "STYLE"],  # categories need the grammar phase
    ],
)
def test_unknown_values_and_categories_without_grammar_are_usage_errors(
    cli: Any, arguments: list[str]
) -> None:
    cli.signed_in()

    result = cli("pipeline", "run", "b-1", *arguments)

    assert result.exit_code == 2
    assert cli.gateway.pipeline_requests == []


def test_the_retry_hint_repeats_the_categories(cli: Any, api_error: Any) -> None:
    cli.signed_in()
    cli.gateway.pipeline_answers = [unconfirmed(api_error), unconfirmed(api_error)]

    result = cli(
        "pipeline",
        "run",
        "b-1",
        "--pipeline",
        "spellcheck+grammar",
        "--disable-category",
        "MISC",
        "--attempts",
        "2",
    )

    assert result.exit_code == 1
    [key, _] = cli.gateway.pipeline_keys
    assert (
        f"huleedu pipeline run b-1 --pipeline spellcheck+grammar --disable-category MISC "
        f"--idempotency-key {key}"
    ) in result.stderr.replace("\n", " ")
