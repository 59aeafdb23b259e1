"""What the grammar check observed for operators, recorded only once its result committed (the
composition root hands it to the metrics; the domain never touches Prometheus)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from common_core.enums import Language, OperationOutcome


@dataclass(frozen=True)
class EssayGrammarChecked:
    """One essay's result: its language, outcome and its matches' categories."""

    language: Language
    outcome: OperationOutcome
    categories: list[str] = field(default_factory=list)


Observation = EssayGrammarChecked
Recorder = Callable[[Sequence[Observation]], None]


def ignore(observations: Sequence[Observation]) -> None:
    """The recorder of processes and tests that export nothing."""
