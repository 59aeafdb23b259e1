"""LanguageTool's /v2/check answer, as its server writes it, read into LanguageToolMatch."""

from __future__ import annotations

from common_core.enums import Language
from grammar_service.adapters.languagetool_client import LANGUAGE_CODES, _match

# One match of /v2/check's JSON, with the fields the server sends (trimmed of the rest).
RAW = {
    "message": "The verb form 'was' does not agree with the plural subject.",
    "shortMessage": "Grammatical problem",
    "replacements": [{"value": "were"}, {"value": "is", "shortDescription": "x"}],
    "offset": 13,
    "length": 3,
    "context": {"text": "The students was tired.", "offset": 13, "length": 3},
    "sentence": "The students was tired.",
    "type": {"typeName": "Other"},
    "rule": {
        "id": "PLURAL_VERB_AFTER_THIS",
        "description": "Subject-verb agreement",
        "issueType": "grammar",
        "category": {"id": "GRAMMAR", "name": "Grammar"},
    },
}


def test_a_match_keeps_offsets_rule_category_and_replacements() -> None:
    match = _match(RAW)
    assert (match.offset, match.length) == (13, 3)
    assert (match.rule_id, match.category, match.issue_type) == (
        "PLURAL_VERB_AFTER_THIS",
        "GRAMMAR",
        "grammar",
    )
    assert match.replacements == ["were", "is"]
    assert match.message.startswith("The verb form")


def test_a_match_without_replacements_or_category_still_reads() -> None:
    match = _match({"offset": 0, "length": 2, "message": "m", "rule": {"id": "R"}})
    assert (match.category, match.replacements) == ("", [])


def test_english_is_british_and_swedish_is_sv() -> None:
    assert LANGUAGE_CODES == {Language.ENGLISH: "en-GB", Language.SWEDISH: "sv"}
