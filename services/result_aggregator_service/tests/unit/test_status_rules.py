"""The ranks that keep statuses moving forward, and the re-run exception."""

from __future__ import annotations

from datetime import timedelta

from common_core.enums import BatchStatus, EssayStatus, Language, OperationOutcome
from result_aggregator_service.domain.models import (
    EssayView,
    SpellcheckResult,
    advance_batch_status,
    advance_essay_status,
)

from .conftest import T0

LATER = T0 + timedelta(minutes=5)
EARLIER = T0 - timedelta(minutes=5)


def essay(status: EssayStatus, with_result: bool = False) -> EssayView:
    result = (
        SpellcheckResult(OperationOutcome.SUCCESS, Language.SWEDISH, T0, T0)
        if with_result
        else None
    )
    return EssayView("b", "e", status, T0, T0, spellcheck=result)


class TestBatchStatus:
    def test_moves_forward(self) -> None:
        assert (
            advance_batch_status(BatchStatus.AWAITING_CONTENT, BatchStatus.PROCESSING)
            is BatchStatus.PROCESSING
        )

    def test_never_moves_back(self) -> None:
        assert (
            advance_batch_status(BatchStatus.COMPLETED, BatchStatus.READY_FOR_PIPELINE)
            is BatchStatus.COMPLETED
        )
        assert (
            advance_batch_status(BatchStatus.PROCESSING, BatchStatus.READY_FOR_PIPELINE)
            is BatchStatus.PROCESSING
        )


class TestEssayStatus:
    def test_forward_applies_even_when_older(self) -> None:
        # Clocks of different services may disagree; rank decides forward moves.
        current = essay(EssayStatus.READY_FOR_PROCESSING)
        assert advance_essay_status(current, EssayStatus.SPELLCHECK_SUCCEEDED, EARLIER) == (
            EssayStatus.SPELLCHECK_SUCCEEDED,
            EARLIER,
        )

    def test_late_slot_assignment_does_not_regress_a_result(self) -> None:
        current = essay(EssayStatus.SPELLCHECK_SUCCEEDED, with_result=True)
        assert advance_essay_status(current, EssayStatus.READY_FOR_PROCESSING, LATER) == (
            EssayStatus.SPELLCHECK_SUCCEEDED,
            T0,
        )

    def test_newer_result_replaces_result_older_does_not(self) -> None:
        current = essay(EssayStatus.SPELLCHECK_FAILED, with_result=True)
        assert advance_essay_status(current, EssayStatus.SPELLCHECK_SUCCEEDED, LATER)[0] is (
            EssayStatus.SPELLCHECK_SUCCEEDED
        )
        assert advance_essay_status(current, EssayStatus.SPELLCHECK_SUCCEEDED, EARLIER)[0] is (
            EssayStatus.SPELLCHECK_FAILED
        )

    def test_newer_request_over_result_is_a_rerun(self) -> None:
        current = essay(EssayStatus.SPELLCHECK_FAILED, with_result=True)
        assert advance_essay_status(current, EssayStatus.SPELLCHECK_REQUESTED, LATER)[0] is (
            EssayStatus.SPELLCHECK_REQUESTED
        )
        assert advance_essay_status(current, EssayStatus.SPELLCHECK_REQUESTED, EARLIER)[0] is (
            EssayStatus.SPELLCHECK_FAILED
        )

    def test_result_older_than_pending_rerun_does_not_close_it(self) -> None:
        current = essay(EssayStatus.SPELLCHECK_REQUESTED, with_result=True)
        assert advance_essay_status(current, EssayStatus.SPELLCHECK_SUCCEEDED, EARLIER)[0] is (
            EssayStatus.SPELLCHECK_REQUESTED
        )
        assert advance_essay_status(current, EssayStatus.SPELLCHECK_SUCCEEDED, LATER)[0] is (
            EssayStatus.SPELLCHECK_SUCCEEDED
        )
