"""Business metrics of the Spell Checker (documentation/metrics.md), recorded from the use
case's observations after the commit of an essay's result, so a redelivered request never
counts twice."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter

from common_core.enums import Language, OperationOutcome
from spellchecker_service.domain.observations import EssayChecked, Observation

__all__ = ["ESSAYS_SPELLCHECKED", "MISSPELLINGS_FOUND", "essay_checked", "record"]

ESSAYS_SPELLCHECKED = Counter(
    "huleedu_essays_spellchecked_total",
    "Essays spell checked, by language and outcome (success, failure)",
    ["language", "outcome"],
)
MISSPELLINGS_FOUND = Counter(
    "huleedu_misspellings_found_total", "Words flagged in checked essays, by language", ["language"]
)
# Every series of these bounded labels exists from the start (rate() needs the zero).
for _language in Language:
    MISSPELLINGS_FOUND.labels(_language.value)
    for _outcome in OperationOutcome:
        ESSAYS_SPELLCHECKED.labels(_language.value, _outcome.value)


def essay_checked(language: Language, outcome: OperationOutcome, misspellings: int) -> None:
    """One essay's result committed."""
    ESSAYS_SPELLCHECKED.labels(language.value, outcome.value).inc()
    MISSPELLINGS_FOUND.labels(language.value).inc(misspellings)


def record(observations: Sequence[Observation]) -> None:
    """Record what a committed spell check observed."""
    for seen in observations:
        if isinstance(seen, EssayChecked):
            essay_checked(seen.language, seen.outcome, seen.misspellings)
