"""GrammarChecker over LanguageTool's HTTP API (POST /v2/check), through a circuit breaker.

Down, slow (past the timeout), 5xx or any answer other than a check result or a refusal:
GrammarCheckerUnavailable, counted by the breaker; while the circuit is open no request is
sent and the same error is raised at once, so the consumer's retries wait for LanguageTool
without hammering it. 400 and 413 are LanguageTool refusing this text (too long, a language
it does not know): GrammarCheckRefused, an answer and so a success for the breaker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiohttp
import structlog

from common_core.enums import Language
from grammar_service.domain.ports import (
    GrammarCheckerUnavailable,
    GrammarCheckRefused,
    LanguageToolMatch,
)
from huleedu_service_libs.resilience import AsyncCircuitBreaker, CircuitOpenError

logger = structlog.get_logger(__name__)

# British English for English essays (what Swedish schools teach); Swedish has one variant.
LANGUAGE_CODES = {Language.ENGLISH: "en-GB", Language.SWEDISH: "sv"}
# One short sentence per language loads its rules into the fresh server's memory.
WARM_UP_TEXTS = {
    Language.ENGLISH: "This sentence warm up the grammar checker.",
    Language.SWEDISH: "Den här meningen värmer upp en grammatikkontroll.",
}
_REFUSALS = frozenset({400, 413})
_MAX_REASON_CHARS = 300


class LanguageToolChecker:
    """Checks texts with one LanguageTool server."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        base_url: str,
        timeout_seconds: float,
        breaker: AsyncCircuitBreaker,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._breaker = breaker

    async def check(
        self, text: str, language: Language, disabled_categories: Sequence[str]
    ) -> list[LanguageToolMatch]:
        """LanguageTool's matches in `text` (UTF-16 offsets), the categories switched off."""
        form = {"text": text, "language": LANGUAGE_CODES[language]}
        if disabled_categories:
            form["disabledCategories"] = ",".join(disabled_categories)
        try:
            body = await self._breaker.call(self._post_check, form)
        except CircuitOpenError as exc:
            raise GrammarCheckerUnavailable(str(exc)) from exc
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            logger.warning("grammar.languagetool_unavailable", url=self._base, error=repr(exc))
            raise GrammarCheckerUnavailable(f"LanguageTool at {self._base}: {exc!r}") from exc
        return [_match(m) for m in body.get("matches", [])]

    async def warm_up(self) -> None:
        """One short check per language, so the first essays do not wait for rule loading."""
        for language, text in WARM_UP_TEXTS.items():
            await self.check(text, language, [])
        logger.info("grammar.languagetool_warmed_up", url=self._base)

    async def ping(self) -> None:
        """Readiness: LanguageTool lists its languages (not through the breaker)."""
        url = f"{self._base}/v2/languages"
        async with self._http.get(url, timeout=aiohttp.ClientTimeout(total=2.0)) as response:
            response.raise_for_status()

    async def _post_check(self, form: dict[str, str]) -> dict[str, Any]:
        url = f"{self._base}/v2/check"
        async with self._http.post(url, data=form, timeout=self._timeout) as response:
            if response.status in _REFUSALS:
                reason = (await response.text())[:_MAX_REASON_CHARS].strip()
                raise GrammarCheckRefused(f"HTTP {response.status}: {reason}")
            # 404 (a wrong URL), 429, 5xx: LanguageTool cannot answer as configured.
            response.raise_for_status()
            body: dict[str, Any] = await response.json(content_type=None)
            return body


def _match(raw: dict[str, Any]) -> LanguageToolMatch:
    rule = raw.get("rule") or {}
    return LanguageToolMatch(
        offset=int(raw["offset"]),
        length=int(raw["length"]),
        rule_id=str(rule.get("id", "")),
        category=str((rule.get("category") or {}).get("id", "")),
        issue_type=str(rule.get("issueType", "")),
        message=str(raw.get("message", "")),
        replacements=[str(r["value"]) for r in raw.get("replacements", []) if "value" in r],
    )
