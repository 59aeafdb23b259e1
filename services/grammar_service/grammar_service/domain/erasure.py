"""A student's erasure in the Grammar Service: with `delete` their essays' results go.

With `keep` nothing here names the student: matches in the essay's header lines, where the
name and email stand, are never reported (huleedu_service_libs.essay_header), and the texts
themselves live in the Content Service, which the File Service has redact them. Match
texts elsewhere are the student's own sentences, kept as the teacher chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import structlog

from common_core.enums import EssayErasureMode
from common_core.events import StudentErasureRequestedV1
from huleedu_service_libs.consumer import Outgoing, StepContext
from huleedu_service_libs.consumer import UnitOfWork as ConsumerUnitOfWork

logger = structlog.get_logger(__name__)


class ErasedResults(Protocol):
    """grammar_results inside the erasure's transaction."""

    async def delete(self, essays: Sequence[tuple[str, str]]) -> int:
        """Delete the results of these (batch_id, essay_id) pairs; rows deleted."""
        ...


class ErasureUnitOfWork(ConsumerUnitOfWork, Protocol):
    """The erasure's transaction: the inbox claim and the deleted results commit together."""

    erasure: ErasedResults


async def erase_results(
    uow: ErasureUnitOfWork, event: StudentErasureRequestedV1, _ctx: StepContext[Any]
) -> list[Outgoing]:
    """The erasure step: delete the student's essays' results if the teacher chose `delete`."""
    essays = [(e.batch_id, e.essay_id) for e in event.essays if e.essay_id]
    if event.essay_mode is not EssayErasureMode.DELETE or not essays:
        return []
    deleted = await uow.erasure.delete(essays)
    logger.info("grammar.student_erased", erasure_id=event.erasure_id, rows=deleted)
    return []
