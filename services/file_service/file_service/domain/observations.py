"""What an upload observed for operators, recorded only once its transaction committed
(di.py wires the metrics adapter as the recorder; the domain never touches Prometheus)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from common_core.errors import ErrorCode


@dataclass(frozen=True)
class UploadCommitted:
    """An upload's files were recorded: the accepted ones by type, the rejected by code."""

    accepted_types: tuple[str, ...]
    rejected_codes: tuple[ErrorCode, ...]


Observation = UploadCommitted
Recorder = Callable[[Sequence[Observation]], None]


def ignore(observations: Sequence[Observation]) -> None:
    """The recorder of tests that export nothing."""
