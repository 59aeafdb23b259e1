"""A class set of 30 essays: the results page, its totals and its CSV export.

The time to first render of the results is measured in the browser and kept as an artifact
(figures.json next to the screenshots); the test itself never asserts wall-clock time.
"""

from __future__ import annotations

import csv
import io
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
    results_render_ms,
    run_spellcheck,
    unique,
    upload_folder,
    wait_for_status,
    write_figure,
)

pytestmark = pytest.mark.e2e

ESSAYS = 30


def test_thirty_essay_results_render_and_export(
    page: Callable[..., Any], sign_in: Callable[..., None], tmp_path: Path
) -> None:
    teacher = page("en")
    sign_in(teacher, unique("teacher-30"), "en")
    batch_id = create_batch(teacher, course="ENG5", expected=ESSAYS)
    upload_folder(teacher, plain_essay_folder(tmp_path, ESSAYS, "class set"))
    expect(teacher.locator("[data-testid=uploads] .upload-accepted")).to_have_count(ESSAYS)
    teacher.shot("thirty-uploaded")
    wait_for_status(teacher, "Ready to process", READY_TIMEOUT_MS)
    run_spellcheck(teacher)
    wait_for_status(teacher, "Done", DONE_TIMEOUT_MS)

    teacher.goto(f"/batches/{batch_id}")
    rows = teacher.locator("[data-testid=results] tbody tr")
    expect(rows).to_have_count(ESSAYS)
    expect(teacher.locator("[data-testid=batch-totals]")).to_contain_text(f"({ESSAYS})")
    rendered_ms = results_render_ms(teacher)
    write_figure(teacher.artifacts, "results_first_render_ms_30_essays", round(rendered_ms))
    print(f"results page for {ESSAYS} essays: first render {rendered_ms:.0f} ms after navigation")
    teacher.shot("thirty-results")

    with teacher.expect_download() as download_info:
        teacher.locator("#export-csv").click()
    download = download_info.value
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(content)))
    assert table[0][:3] == ["File", "essay_id", "Status"], table[0]
    assert len(table) == ESSAYS + 2, len(table)  # header, one row per essay, the totals
    assert table[-1][0] == "Whole batch"
    misspelt = [row[6] for row in table[1:-1]]
    assert all("recieved" in words for words in misspelt), misspelt[:3]
