"""Business metrics of the Grammar Service (documentation/metrics.md), recorded from the use
case's observations after the commit of an essay's result, so a redelivered request never
counts twice."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter

from common_core.enums import Language, OperationOutcome
from grammar_service.domain.observations import Observation

__all__ = ["ESSAYS_GRAMMAR_CHECKED", "GRAMMAR_MATCHES_FOUND", "record"]

ESSAYS_GRAMMAR_CHECKED = Counter(
    "huleedu_essays_grammar_checked_total",
    "Essays grammar checked, by language and outcome (success, failure)",
    ["language", "outcome"],
)
# Categories are LanguageTool's (a few dozen ids per language), so the label stays bounded.
GRAMMAR_MATCHES_FOUND = Counter(
    "huleedu_grammar_matches_found_total",
    "Grammar and style matches reported in checked essays, by language and category",
    ["language", "category"],
)
# Every series of the bounded labels exists from the start (rate() needs the zero).
for _language in Language:
    for _outcome in OperationOutcome:
        ESSAYS_GRAMMAR_CHECKED.labels(_language.value, _outcome.value)


def record(observations: Sequence[Observation]) -> None:
    """Record what a committed grammar check observed."""
    for seen in observations:
        ESSAYS_GRAMMAR_CHECKED.labels(seen.language.value, seen.outcome.value).inc()
        for category in seen.categories:
            GRAMMAR_MATCHES_FOUND.labels(seen.language.value, category).inc()
