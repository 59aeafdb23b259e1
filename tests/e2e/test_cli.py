"""The teacher CLI against the running stack: a folder of essays from login to results."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from huleedu_testing.sample_files import docx_bytes, essay_text, txt_bytes

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
HULEEDU = str(ROOT / ".venv" / "bin" / "huleedu")
MISTAKES = "My freind and I beleive that sports are importent for everybody."


def huleedu(config_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a teacher would, with its own token directory."""
    env = {**os.environ, "HULEEDU_CONFIG_DIR": str(config_dir)}
    return subprocess.run(
        [HULEEDU, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    """The last JSON document a --json command printed."""
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_folder_of_essays_from_login_to_results(tmp_path: Path) -> None:
    config, essays = tmp_path / "config", tmp_path / "essays"
    essays.mkdir()
    for n, name in enumerate(("Karin Holm", "Olle Nyström", "Maja Ek")):
        text = f"Name: {name}\n\n{MISTAKES}\n\n" + essay_text("en", 260, seed=40 + n)
        if n == 0:
            (essays / f"essay_{n}.docx").write_bytes(docx_bytes(text))
        else:
            (essays / f"essay_{n}.txt").write_bytes(txt_bytes(text, "utf-8"))
    (essays / "empty.txt").write_bytes(b"")

    login = huleedu(config, "login", "--user", f"cli-teacher-{uuid.uuid4().hex[:8]}")
    assert login.returncode == 0, login.stderr
    assert (config / "token").stat().st_mode & 0o777 == 0o600
    batch = as_json(
        huleedu(config, "--json", "batch", "register", "--course", "ENG6", "--count", "3",
                "--instructions", "Describe a journey that changed you.")
    )  # fmt: skip
    batch_id = batch["batch_id"]

    upload = as_json(
        huleedu(config, "--json", "upload", batch_id, str(essays), "--chunk-size", "2")
    )
    assert (upload["accepted_count"], upload["rejected_count"]) == (3, 1), upload
    rejected = [f for f in upload["files"] if f["status"] == "rejected"]
    assert rejected[0]["error_code"] == "EMPTY_FILE"

    for _ in range(120):  # a teacher would wait for "batch ready" before asking for a run
        if as_json(huleedu(config, "--json", "batch", "status", batch_id))["status"] != (
            "awaiting_content"
        ):
            break
        time.sleep(0.5)
    for _ in range(10):
        # The aggregator and the orchestrator learn of readiness from the same event, at
        # nearly the same moment; a run refused as not ready yet is asked for again.
        run = huleedu(config, "--json", "pipeline", "run", batch_id, "--watch", "--timeout",
                      "240", timeout=300)  # fmt: skip
        if "PIPELINE_NOT_READY" not in run.stderr:
            break
        time.sleep(1)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [json.loads(line) for line in run.stdout.strip().splitlines()]
    assert lines[-1]["notification_type"] == "batch_results_ready", lines

    results = as_json(huleedu(config, "--json", "results", batch_id))
    essay_ids = [e["essay_id"] for e in results["essays"]]
    assert len(essay_ids) == 3
    one = as_json(huleedu(config, "--json", "results", batch_id, essay_ids[0]))
    words = {m["word"].lower() for m in one["spellcheck"]["misspellings"]}
    assert {"freind", "beleive", "importent"} <= words, words

    again = huleedu(config, "--json", "pipeline", "run", batch_id)
    assert again.returncode == 1
    missing = huleedu(config, "--json", "batch", "status", str(uuid.uuid4()))
    assert missing.returncode == 1
    assert json.loads(missing.stderr)["error"]["code"] == "BATCH_NOT_FOUND"
    assert "huleedu login" in huleedu(config, "--token", "bogus", "batch", "list").stderr
    assert huleedu(config, "--api-url", "http://127.0.0.1:1", "batch", "list").returncode == 3
