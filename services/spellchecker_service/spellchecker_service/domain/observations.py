"""What the spell check observed for operators, recorded only once its result committed (the
composition root hands it to the metrics; the domain never touches Prometheus)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from common_core.enums import Language, OperationOutcome


@dataclass(frozen=True)
class EssayChecked:
    """One essay's result: its language, outcome and the misspellings its event carries."""

    language: Language
    outcome: OperationOutcome
    misspellings: int


Observation = EssayChecked
Recorder = Callable[[Sequence[Observation]], None]


def ignore(observations: Sequence[Observation]) -> None:
    """The recorder of processes and tests that export nothing."""
