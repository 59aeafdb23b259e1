"""The local LanguageTool server finds grammar errors in English and Swedish, spelling left out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from huleedu_service_libs.config import InfraSettings

pytestmark = pytest.mark.integration

LOG_HINT = (
    "start it with `make infra-up` (or scripts/infra/languagetool.sh up); "
    "its log is $HULEEDU_LOG_DIR/languagetool.log"
)
# LanguageTool's category of its spelling rules (MORFOLOGIK_RULE_EN_GB, HUNSPELL_RULE, ...);
# the spell checker service owns spelling, so grammar checks turn the whole category off.
SPELLING_CATEGORY = "TYPOS"


@dataclass(frozen=True)
class GrammarCase:
    """A sentence with one grammar error (and one misspelling) and what LanguageTool says."""

    language: str
    text: str
    error: str  # the words the grammar match must cover
    replacement: str  # one of its suggested replacements
    misspelling: str  # a word the spelling rules would flag


CASES = [
    GrammarCase(
        language="en-GB",
        text="The students was tired after the long exam, so their techer let them leave early.",
        error="was",
        replacement="were",
        misspelling="techer",
    ),
    GrammarCase(
        language="sv",
        text="Förra sommaren köpte mina föräldrar en nytt hus nära sjön, och jag var mycke glad.",
        error="en nytt hus",
        replacement="ett nytt hus",
        misspelling="mycke",
    ),
]


@pytest.fixture(scope="module")
def languagetool() -> Iterator[httpx.Client]:
    """A client of the local LanguageTool server; fails the test when it does not answer."""
    url = InfraSettings().languagetool_url
    with httpx.Client(base_url=url, timeout=30.0) as client:
        try:
            client.get("/v2/languages").raise_for_status()
        except httpx.HTTPError as exc:
            pytest.fail(f"LanguageTool at {url} does not answer ({exc!r}); {LOG_HINT}")
        yield client


def check(client: httpx.Client, case: GrammarCase, **options: str) -> list[dict[str, Any]]:
    """POST the case's text to /v2/check; the matches LanguageTool returns."""
    response = client.post(
        "/v2/check", data={"language": case.language, "text": case.text, **options}
    )
    response.raise_for_status()
    body = response.json()
    assert body["language"]["code"] == case.language
    matches: list[dict[str, Any]] = body["matches"]
    return matches


def covered(case: GrammarCase, match: dict[str, Any]) -> str:
    return case.text[match["offset"] : match["offset"] + match["length"]]


def test_the_server_offers_english_and_swedish(languagetool: httpx.Client) -> None:
    languages = languagetool.get("/v2/languages").json()

    long_codes = {language["longCode"] for language in languages}

    assert {"en-GB", "en-US", "sv"} <= long_codes


@pytest.mark.parametrize("case", CASES, ids=[c.language for c in CASES])
def test_grammar_error_found_with_spelling_rules_disabled(
    languagetool: httpx.Client, case: GrammarCase
) -> None:
    matches = check(languagetool, case, disabledCategories=SPELLING_CATEGORY)

    grammar = [m for m in matches if covered(case, m) == case.error]
    assert grammar, f"no match covers {case.error!r}: {matches}"
    (match,) = grammar
    assert match["offset"] == case.text.index(case.error)
    assert match["rule"]["id"]
    assert match["rule"]["category"]["id"] == "GRAMMAR"
    assert case.replacement in [r["value"] for r in match["replacements"]]
    assert not [m for m in matches if m["rule"]["category"]["id"] == SPELLING_CATEGORY]


@pytest.mark.parametrize("case", CASES, ids=[c.language for c in CASES])
def test_same_text_has_a_spelling_match_when_the_category_is_on(
    languagetool: httpx.Client, case: GrammarCase
) -> None:
    # The other half of the test above: the misspelling is there to be left out.
    matches = check(languagetool, case)

    spelling = [m for m in matches if m["rule"]["category"]["id"] == SPELLING_CATEGORY]

    assert [covered(case, m) for m in spelling] == [case.misspelling]
