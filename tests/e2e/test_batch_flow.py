"""The whole batch flow on the running stack: register, upload, ready, spellcheck, results."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from huleedu_testing.sample_files import docx_bytes, essay_text, pdf_bytes, txt_bytes

pytestmark = pytest.mark.e2e

# Learner mistakes the spell checker must find in every essay we upload.
MISTAKES = "I think that alot of students recieve to much homework becuase teachers want results."


def english_essay(seed: int, student: str) -> str:
    """A team-written English essay with a student header and known misspellings."""
    return f"Name: {student}\n\n{MISTAKES}\n\n" + essay_text("en", 320, seed=seed)


async def state_is(platform: Any, batch_id: str, *statuses: str) -> dict[str, Any] | None:
    """The pipeline state when its status is one of `statuses`."""
    state = await platform.pipeline_state(batch_id)
    return state if state["status"] in statuses else None


async def test_three_essay_batch_is_spellchecked_end_to_end(platform: Any, stack: Any) -> None:
    batch = await platform.register_batch("ENG5", 3)
    batch_id = batch["batch_id"]
    files = [
        ("anna.docx", docx_bytes(english_essay(1, "Anna Svensson"))),
        ("erik.pdf", pdf_bytes(english_essay(2, "Erik Lind"))),
        ("sara.txt", txt_bytes(english_essay(3, "Sara Berg"), "utf-8")),
    ]
    upload = await platform.upload(batch_id, files)
    assert upload["accepted_count"] == 3, upload

    await stack.wait_for(
        lambda: state_is(platform, batch_id, "ready_for_pipeline"), seconds=60, what="readiness"
    )
    await platform.request_pipeline(batch_id)
    final = await stack.wait_for(
        lambda: state_is(platform, batch_id, "completed", "completed_with_failures", "failed"),
        seconds=120,
        what="pipeline completion",
    )
    assert final["status"] == "completed", final

    status = await platform.essay_status(batch_id)
    essays = status["essays"]
    assert len(essays) == 3
    assert {e["status"] for e in essays} == {"spellcheck_succeeded"}, essays
    for essay in essays:
        assert essay["corrected_text_storage_id"], essay
        # "alot", "recieve" and "becuase" at least (see MISTAKES).
        assert essay["spellcheck_correction_count"] >= 3, essay


async def test_twenty_essays_survive_els_and_spellchecker_crashes(
    platform: Any, stack: Any
) -> None:
    batch = await platform.register_batch("ENG6", 20)
    batch_id = batch["batch_id"]
    files = [
        (f"essay_{n:02d}.txt", txt_bytes(english_essay(100 + n, f"Elev Nummer{n}"), "utf-8"))
        for n in range(20)
    ]
    await platform.upload(batch_id, files)
    # The essay lifecycle worker dies while the batch fills up.
    stack.kill("essay_lifecycle_service", "worker")
    await asyncio.to_thread(stack.restart)
    await stack.wait_for(
        lambda: state_is(platform, batch_id, "ready_for_pipeline"), seconds=90, what="readiness"
    )

    await platform.request_pipeline(batch_id)
    # And the spell checker dies while it works through the essays.
    await asyncio.sleep(0.5)
    stack.kill("spellchecker_service", "worker")
    await asyncio.to_thread(stack.restart)
    final = await stack.wait_for(
        lambda: state_is(platform, batch_id, "completed", "completed_with_failures", "failed"),
        seconds=180,
        what="pipeline completion after crashes",
    )
    assert final["status"] == "completed", final

    essays = (await platform.essay_status(batch_id))["essays"]
    assert len(essays) == 20, "no essay lost, none duplicated"
    assert len({e["essay_id"] for e in essays}) == 20
    assert all(e["status"] == "spellcheck_succeeded" for e in essays), essays
