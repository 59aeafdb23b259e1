"""The pipeline request body: which pipelines and grammar categories a teacher may send."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from api_gateway_service.api.models import PipelineRequest
from common_core.enums import GrammarCategory, PipelineName

pytestmark = pytest.mark.unit


def test_spellcheck_alone_needs_no_categories() -> None:
    body = PipelineRequest.model_validate({"pipeline": "spellcheck"})
    assert (body.pipeline, body.disabled_grammar_categories) == (PipelineName.SPELLCHECK, [])


def test_spellcheck_and_grammar_with_categories_switched_off() -> None:
    body = PipelineRequest.model_validate(
        {"pipeline": "spellcheck+grammar", "disabled_grammar_categories": ["STYLE", "CASING"]}
    )
    assert body.pipeline is PipelineName.SPELLCHECK_GRAMMAR
    assert body.disabled_grammar_categories == [GrammarCategory.STYLE, GrammarCategory.CASING]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"pipeline": "grammar"}, ("pipeline",)),
        ({"pipeline": "spellcheck+style"}, ("pipeline",)),
        (
            {"pipeline": "spellcheck+grammar", "disabled_grammar_categories": ["TYPOS"]},
            ("disabled_grammar_categories", 0),
        ),
        (
            {"pipeline": "spellcheck+grammar", "disabled_grammar_categories": ["style"]},
            ("disabled_grammar_categories", 0),
        ),
        ({"pipeline": "spellcheck", "disabled_categories": []}, ("disabled_categories",)),
    ],
)
def test_unknown_pipelines_categories_and_fields_are_refused(
    payload: dict[str, Any], field: tuple[str | int, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        PipelineRequest.model_validate(payload)
    [error] = caught.value.errors()
    assert error["loc"] == field


def test_the_openapi_schema_lists_the_pipelines_and_categories() -> None:
    schema = PipelineRequest.model_json_schema()
    defs = schema["$defs"]
    assert defs["PipelineName"]["enum"] == ["spellcheck", "spellcheck+grammar"]
    assert defs["GrammarCategory"]["enum"] == [c.value for c in GrammarCategory]
    assert "pipeline" in schema["required"]
    assert "disabled_grammar_categories" not in schema["required"]
