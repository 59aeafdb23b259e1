"""Watching a batch live while the gateway restarts: the page reconnects and catches up."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .teacher_steps import (
    DONE_TIMEOUT_MS,
    READY_TIMEOUT_MS,
    create_batch,
    plain_essay_folder,
    run_spellcheck,
    unique,
    upload_folder,
    wait_for_status,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]


def test_a_gateway_restart_mid_watch_recovers(
    page: Callable[..., Any], sign_in: Callable[..., None], tmp_path: Path
) -> None:
    teacher = page("sv")
    sign_in(teacher, unique("larare-live"), "sv")
    live = teacher.locator("[data-testid=live-status]")
    expect(live).to_have_text("Liveuppdateringar är på")

    create_batch(teacher, course="ENG6", expected=3)
    upload_folder(teacher, plain_essay_folder(tmp_path, 3))
    wait_for_status(teacher, "Redo att bearbetas", READY_TIMEOUT_MS)
    run_spellcheck(teacher)

    # The gateway goes away while the essays are processed: whatever it announced meanwhile
    # reaches the page after the reconnect (resume by event id, then a REST refresh).
    restart = subprocess.Popen(
        ["/bin/bash", str(ROOT / "scripts" / "stack.sh"), "restart", "api_gateway_service"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        expect(live).to_contain_text("ansluter igen", timeout=30_000)
        teacher.shot("gateway-down-reconnecting")
    finally:
        assert restart.wait(timeout=180) == 0, "stack.sh restart api_gateway_service failed"

    expect(live).to_have_text("Liveuppdateringar är på", timeout=60_000)
    wait_for_status(teacher, "Klar", DONE_TIMEOUT_MS)
    expect(teacher.locator("[data-step=processing]")).to_contain_text("3 av 3")
    expect(teacher.locator("[data-testid=notifications]")).to_contain_text(
        "Resultaten är klara", timeout=DONE_TIMEOUT_MS
    )
    expect(teacher.locator("[data-testid=batch-totals]")).to_contain_text("(3)")
    teacher.shot("recovered-and-done")
    # Refused connections while the gateway was down are expected; nothing else may fail.
    unexpected = [
        error
        for error in teacher.console_errors
        if "ERR_CONNECTION_REFUSED" not in error and "WebSocket" not in error
    ]
    assert not unexpected, unexpected
