"""Spelling then grammar through the gateway: both results per essay, a switched-off category
left out, and a LanguageTool outage in the middle of the grammar phase losing nothing."""

from __future__ import annotations

import asyncio
import subprocess
from collections import Counter
from typing import Any

import pytest

from huleedu_testing.gateway_client import GatewayClient
from huleedu_testing.sample_files import txt_bytes

from .conftest import ROOT, StackControl
from .grammar_essays import AGREEMENT, TOO, grammar_essay

pytestmark = pytest.mark.e2e

PIPELINE = "spellcheck+grammar"
TERMINAL = {"completed", "completed_with_failures", "failed", "cancelled"}
LANGUAGETOOL = ROOT / "scripts" / "infra" / "languagetool.sh"


async def ready(teacher: GatewayClient, batch_id: str) -> dict[str, Any] | None:
    """The batch once every essay is in and a pipeline may start."""
    batch = await teacher.batch(batch_id)
    return batch if batch["status"] == "ready_for_pipeline" else None


async def finished(teacher: GatewayClient, batch_id: str) -> dict[str, Any] | None:
    """The batch once its pipeline has ended, with every essay's grammar result in the view."""
    batch = await teacher.batch(batch_id)
    return batch if batch["status"] in TERMINAL else None


async def upload_ready_batch(
    teacher: GatewayClient, stack: StackControl, files: list[tuple[str, bytes]]
) -> str:
    """A registered ENG5 batch with these files, ready for its pipeline."""
    batch = await teacher.register_batch("ENG5", len(files))
    batch_id = str(batch["batch_id"])
    upload = await teacher.upload(batch_id, files)
    assert upload["accepted_count"] == len(files), upload
    await stack.wait_for(lambda: ready(teacher, batch_id), seconds=90, what="readiness")
    return batch_id


async def essay_with_grammar(
    teacher: GatewayClient, stack: StackControl, batch_id: str, essay_id: str
) -> dict[str, Any]:
    """The essay's result once its own grammar result (with matches) is in the view.

    The pipeline's completion and the essays' results come on different topics: the view may
    hold a result derived from the phase outcome (no matches) for a moment first.
    """

    async def probe() -> dict[str, Any] | None:
        essay = await teacher.essay(batch_id, essay_id)
        grammar = essay.get("grammar")
        return essay if grammar and grammar["matches"] else None

    return dict(await stack.wait_for(probe, seconds=30, what=f"essay {essay_id}'s grammar"))


def check_grammar_result(essay: dict[str, Any], original: str) -> dict[str, Any]:
    """The essay's grammar result, checked against the uploaded text; returned for more checks."""
    grammar = essay["grammar"]
    assert grammar is not None, essay
    assert grammar["outcome"] == "success", grammar
    assert grammar["language"] == "en", grammar
    matches = grammar["matches"]
    assert grammar["match_count"] == len(matches), grammar
    assert grammar["category_counts"] == dict(Counter(m["category"] for m in matches)), grammar
    for match in matches:
        # Offsets index the essay as uploaded, in code points, like the spelling flags.
        assert original[match["start"] : match["end"]] == match["text"], match
    # Each match once: the error sentence is in the essay once, so is its match.
    keys = [(m["start"], m["end"], m["rule_id"]) for m in matches]
    assert len(keys) == len(set(keys)), matches
    agreement = [m for m in matches if m["rule_id"] == "HE_VERB_AGR"]
    assert len(agreement) == 1, matches
    assert agreement[0]["text"] == "go"
    assert agreement[0]["category"] == "GRAMMAR"
    assert original.index(AGREEMENT) + 3 == agreement[0]["start"]
    assert "goes" in agreement[0]["replacements"]
    return dict(grammar)


async def test_spelling_and_grammar_results_through_the_gateway(
    teacher: GatewayClient, stack: StackControl
) -> None:
    files = [
        (f"{name}.txt", txt_bytes(grammar_essay(student, seed), "utf-8"))
        for seed, (name, student) in enumerate(
            [("lina", "Lina Ek"), ("omar", "Omar Haddad"), ("tove", "Tove Lund")]
        )
    ]
    batch_id = await upload_ready_batch(teacher, stack, files)

    accepted = await teacher.request_pipeline(
        batch_id, PIPELINE, disabled_grammar_categories=["CONFUSED_WORDS"]
    )
    assert accepted["batch_id"] == batch_id
    batch = await stack.wait_for(
        lambda: finished(teacher, batch_id), seconds=240, what="pipeline completion"
    )

    assert batch["status"] == "completed", batch
    assert batch["requested_pipeline"] == PIPELINE
    assert [p["phase"] for p in batch["phases"]] == ["spellcheck", "grammar"], batch["phases"]
    assert {p["status"] for p in batch["phases"]} == {"completed"}, batch["phases"]
    assert {e["status"] for e in batch["essays"]} == {"grammar_succeeded"}, batch["essays"]
    per_essay: Counter[str] = Counter()
    results: dict[str, dict[str, Any]] = {}
    for summary in batch["essays"]:
        essay = await essay_with_grammar(teacher, stack, batch_id, summary["essay_id"])
        original = await teacher.expect(
            200, "GET", f"/v1/batches/{batch_id}/essays/{summary['essay_id']}/text"
        )
        # Both results, side by side.
        assert essay["spellcheck"]["outcome"] == "success", essay
        grammar = check_grammar_result(essay, original["text"])
        # The switched-off category is not checked: "to tired" goes unmarked.
        assert "CONFUSED_WORDS" not in grammar["category_counts"], grammar
        assert all(m["rule_id"] != "TO_TOO" for m in grammar["matches"]), grammar
        results[summary["essay_id"]] = grammar
        per_essay.update(grammar["category_counts"])
    batch = await teacher.batch(batch_id)
    assert batch["grammar_category_counts"] == dict(per_essay), batch
    for summary in batch["essays"]:
        grammar = results[summary["essay_id"]]
        assert summary["grammar_match_count"] == grammar["match_count"], summary
        assert summary["grammar_category_counts"] == grammar["category_counts"], summary
    listed = await teacher.expect(200, "GET", "/v1/batches?limit=5")
    [item] = [i for i in listed["items"] if i["batch_id"] == batch_id]
    assert item["grammar_category_counts"] == dict(per_essay), item


def languagetool(command: str) -> None:
    """`languagetool.sh down|up` (up waits until it answers again)."""
    subprocess.run(["/bin/bash", str(LANGUAGETOOL), command], check=True, timeout=240)


async def grammar_running(teacher: GatewayClient, batch_id: str) -> dict[str, Any] | None:
    """The batch once its grammar phase has started (its current phase in the view)."""
    batch = await teacher.batch(batch_id)
    started = batch["current_phase"] == "grammar" or batch["status"] in TERMINAL
    return batch if started else None


async def test_a_languagetool_outage_mid_grammar_loses_no_result(
    teacher: GatewayClient, stack: StackControl
) -> None:
    # Long essays, many of them: the grammar phase lasts long enough to be interrupted.
    files = [
        (f"elev_{n:02d}.txt", txt_bytes(grammar_essay(f"Elev Nummer{n}", 100 + n, 12), "utf-8"))
        for n in range(16)
    ]
    batch_id = await upload_ready_batch(teacher, stack, files)
    await teacher.request_pipeline(batch_id, PIPELINE)

    await stack.wait_for(
        lambda: grammar_running(teacher, batch_id), seconds=240, what="the grammar phase", poll=0.1
    )
    try:
        await asyncio.to_thread(languagetool, "down")
        during = await teacher.batch(batch_id)
        waiting = [e for e in during["essays"] if e.get("grammar_match_count") is None]
        # Otherwise the outage hit nothing and this test would prove nothing.
        assert waiting, "every grammar result was in before LanguageTool went down"
        await asyncio.sleep(8)
    finally:
        await asyncio.to_thread(languagetool, "up")

    # The Grammar Service retries through the outage (its transient budget is 600 s).
    batch = await stack.wait_for(
        lambda: finished(teacher, batch_id), seconds=600, what="pipeline completion"
    )
    assert batch["status"] == "completed", batch
    assert {e["status"] for e in batch["essays"]} == {"grammar_succeeded"}, batch["essays"]
    [grammar_phase] = [p for p in batch["phases"] if p["phase"] == "grammar"]
    assert (grammar_phase["essay_count"], grammar_phase["failed_essay_count"]) == (16, 0)
    per_essay: Counter[str] = Counter()
    for summary in batch["essays"]:
        essay = await essay_with_grammar(teacher, stack, batch_id, summary["essay_id"])
        original = await teacher.expect(
            200, "GET", f"/v1/batches/{batch_id}/essays/{summary['essay_id']}/text"
        )
        grammar = check_grammar_result(essay, original["text"])
        # Nothing switched off this time: "to tired" is marked, once.
        too = [m for m in grammar["matches"] if m["rule_id"] == "TO_TOO"]
        at = original["text"].index(TOO) + TOO.index("to tired")
        assert [(m["start"], m["text"]) for m in too] == [(at, "to")], grammar
        per_essay.update(grammar["category_counts"])
    # The batch's counts are the essays' own: no result counted twice, none missing.
    batch = await teacher.batch(batch_id)
    assert batch["grammar_category_counts"] == dict(per_essay), batch
