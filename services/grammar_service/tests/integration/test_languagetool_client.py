"""The service's LanguageTool client against the live server: what LanguageTool counts in its
offsets, which categories its rules carry, and how an unreachable server fails."""

from __future__ import annotations

import aiohttp
import pytest

from common_core.enums import Language
from grammar_service.adapters.languagetool_client import LanguageToolChecker
from grammar_service.config import GrammarSettings
from grammar_service.di import make_languagetool_breaker
from grammar_service.domain.checking import SPELLING_CATEGORY, Chunk, to_grammar_matches
from grammar_service.domain.ports import GrammarCheckerUnavailable
from huleedu_service_libs.config import Environment
from huleedu_testing.servers import free_port

pytestmark = pytest.mark.integration

# Two characters outside the BMP (one UTF-16 surrogate pair each) before the grammar error.
EMOJI_ESSAY = "We won the match 🏆🎉 and everyone was happy. He go home every day after school."


async def test_offsets_are_utf16_units_and_convert_to_code_points(
    languagetool: LanguageToolChecker,
) -> None:
    found = await languagetool.check(EMOJI_ESSAY, Language.ENGLISH, [SPELLING_CATEGORY])
    grammar = [m for m in found if m.category == "GRAMMAR"]
    assert len(grammar) == 1, found
    [match] = to_grammar_matches(Chunk(0, EMOJI_ESSAY), grammar, [SPELLING_CATEGORY])
    assert (match.text, match.rule_id) == ("go", "HE_VERB_AGR")
    assert EMOJI_ESSAY[match.start : match.end] == match.text
    # LanguageTool counts each emoji as two units (Java's UTF-16): its offset is two past
    # the code-point offset, and the naive slice would cover the wrong characters.
    assert grammar[0].offset == match.start + 2
    assert grammar[0].length == match.end - match.start
    naive = EMOJI_ESSAY[grammar[0].offset : grammar[0].offset + grammar[0].length]
    assert naive != match.text


async def test_to_too_is_a_confused_word_with_the_misspelling_issue_type(
    languagetool: LanguageToolChecker,
) -> None:
    text = "I was to tired to finish the essay yesterday evening."
    found = await languagetool.check(text, Language.ENGLISH, [SPELLING_CATEGORY])
    [to_too] = [m for m in found if m.rule_id == "TO_TOO"]
    assert (to_too.category, to_too.issue_type) == ("CONFUSED_WORDS", "misspelling")
    assert text[to_too.offset : to_too.offset + to_too.length] == "to"
    assert "too" in to_too.replacements


async def test_spelling_is_off_and_a_teachers_category_too(
    languagetool: LanguageToolChecker,
) -> None:
    text = "Their techer said he go home late , and we agreed."
    everything = await languagetool.check(text, Language.ENGLISH, [])
    assert SPELLING_CATEGORY in {m.category for m in everything}
    grammar_only = await languagetool.check(text, Language.ENGLISH, [SPELLING_CATEGORY])
    categories = {m.category for m in grammar_only}
    assert SPELLING_CATEGORY not in categories
    assert categories == {"GRAMMAR", "TYPOGRAPHY"}  # "he go", " ,"
    rest = await languagetool.check(text, Language.ENGLISH, [SPELLING_CATEGORY, "TYPOGRAPHY"])
    assert [(m.rule_id, m.category) for m in rest] == [("HE_VERB_AGR", "GRAMMAR")]


async def test_swedish_agreement_error_is_found(languagetool: LanguageToolChecker) -> None:
    text = "Förra sommaren köpte mina föräldrar en nytt hus nära sjön."
    found = await languagetool.check(text, Language.SWEDISH, [SPELLING_CATEGORY])
    covered = [text[m.offset : m.offset + m.length] for m in found]
    assert "en nytt hus" in covered


async def test_warm_up_checks_both_languages(languagetool: LanguageToolChecker) -> None:
    await languagetool.warm_up()


async def test_an_unreachable_server_is_unavailable_and_opens_the_circuit(
    http: aiohttp.ClientSession,
) -> None:
    settings = GrammarSettings(
        environment=Environment.TEST,
        languagetool_breaker_fail_max=2,
        languagetool_breaker_reset_seconds=60.0,
    )
    breaker = make_languagetool_breaker(settings)
    closed = LanguageToolChecker(
        http, base_url=f"http://127.0.0.1:{free_port()}", timeout_seconds=5.0, breaker=breaker
    )
    for _ in range(2):
        with pytest.raises(GrammarCheckerUnavailable, match="LanguageTool at"):
            await closed.check("Some text.", Language.ENGLISH, [])
    assert breaker.state == "open"
    with pytest.raises(GrammarCheckerUnavailable, match="circuit breaker"):
        await closed.check("Some text.", Language.ENGLISH, [])
