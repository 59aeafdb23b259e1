"""Why a pipeline request is refused: a code for machines and a notice for the teacher."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from common_core.notifications import (
    VARIANT,
    Locale,
    NotificationCode,
    NotificationParams,
    render,
)


class DenialCode(StrEnum):
    """Why a pipeline request was refused (the values are ErrorCode names)."""

    BATCH_NOT_FOUND = "BATCH_NOT_FOUND"
    PIPELINE_NOT_READY = "PIPELINE_NOT_READY"
    PIPELINE_ALREADY_RUNNING = "PIPELINE_ALREADY_RUNNING"


@dataclass(frozen=True)
class Denial:
    """A refused pipeline request: a code for machines, a pipeline_denied notice for the teacher.

    `notice` is the variant of the pipeline_denied notification text that says why.
    """

    code: DenialCode
    notice: str
    pipeline: str = ""

    @property
    def params(self) -> NotificationParams:
        """The pipeline_denied notification's parameters."""
        return {VARIANT: self.notice, "pipeline": self.pipeline}

    @property
    def reason(self) -> str:
        """The English sentence the denial event and the API carry."""
        return render(NotificationCode.PIPELINE_DENIED, self.params, Locale.EN)


def denial_for_missing_batch() -> Denial:
    """The denial for an unknown batch or someone else's (the same answer on purpose)."""
    return Denial(DenialCode.BATCH_NOT_FOUND, "batch_not_found")
