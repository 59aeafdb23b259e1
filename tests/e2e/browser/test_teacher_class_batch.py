"""A teacher's week in the browser: class, roster, class batch, folder upload, authors,
spell check watched live, highlighted misspellings; and another teacher sees none of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .teacher_steps import (
    BAD_ROSTER_CSV,
    DONE_TIMEOUT_MS,
    READY_TIMEOUT_MS,
    ROSTER_CSV,
    class_essay_folder,
    create_batch,
    create_class,
    import_roster,
    run_spellcheck,
    unique,
    upload_folder,
    wait_for_status,
)

pytestmark = pytest.mark.e2e

Axe = Callable[[Any], list[dict[str, Any]]]


def assert_accessible(tab: Any, axe_violations: Axe, where: str) -> None:
    """Zero serious or critical WCAG 2.1 AA violations on the page as it stands."""
    violations = axe_violations(tab)
    assert not violations, f"axe on {where}: {violations}"


def test_teacher_runs_a_class_batch_and_reads_the_results(
    page: Callable[..., Any], sign_in: Callable[..., None], axe_violations: Axe, tmp_path: Path
) -> None:
    teacher = page("sv")
    sign_in(teacher, unique("larare-a"), "sv")
    class_name = unique("9A engelska")

    class_id = create_class(teacher, class_name)
    teacher.shot("class-created")

    import_roster(teacher, tmp_path, BAD_ROSTER_CSV, "klasslista med fel.csv")
    bad_rows = teacher.locator("[data-testid=roster-errors] tbody tr")
    expect(bad_rows).to_have_count(2)
    expect(bad_rows.nth(0)).to_contain_text("Karlsson, Ali")
    expect(bad_rows.nth(0)).to_contain_text("e-post")
    expect(bad_rows.nth(1)).to_contain_text("li.persson@")
    teacher.shot("roster-rows-refused")
    assert_accessible(teacher, axe_violations, "the class page with roster errors")

    import_roster(teacher, tmp_path, ROSTER_CSV)
    expect(teacher.locator("[data-testid=students] tbody tr")).to_have_count(4)
    expect(teacher.locator("[data-testid=roster-errors]")).to_have_count(0)
    teacher.shot("roster-imported")

    folder = class_essay_folder(tmp_path)
    batch_id = create_batch(teacher, course="ENG5", expected=4, class_name=class_name)
    upload_folder(teacher, folder.path)
    uploads = teacher.locator("[data-testid=uploads] li")
    expect(uploads).to_have_count(4)
    expect(teacher.locator("[data-testid=uploads] .upload-accepted")).to_have_count(3)
    rejection = teacher.locator(f'[data-file$="{folder.bad}"] [data-testid=rejection]')
    expect(rejection).to_have_text("Filen är tom.")
    teacher.shot("folder-uploaded-one-rejected")
    assert_accessible(teacher, axe_violations, "the batch page after the upload")

    # The author suggestions arrive by themselves (a notification makes the page refetch).
    authors = teacher.locator("[data-testid=authors] tbody tr")
    expect(authors).to_have_count(3, timeout=READY_TIMEOUT_MS)
    wait_for_status(teacher, "Väntar på att författare bekräftas", READY_TIMEOUT_MS)
    expect(authors.filter(has_text="asa.docx")).to_contain_text("Åsa Öberg")
    expect(authors.filter(has_text="erik.pdf")).to_contain_text("100")  # % confidence: email
    teacher.shot("authors-suggested")
    # The essay with Erik Lind's address was really Erik Holm's: the teacher corrects it.
    teacher.get_by_label("Välj elev för erik.pdf").select_option(label="Erik Holm")
    teacher.locator("#confirm-authors").click()
    expect(
        teacher.get_by_role("status").filter(has_text="Författarna är bekräftade")
    ).to_be_visible()
    expect(authors.filter(has_text="erik.pdf")).to_contain_text("Erik Holm")

    wait_for_status(teacher, "Redo att bearbetas", READY_TIMEOUT_MS)
    run_spellcheck(teacher)
    processing = teacher.locator("[data-step=processing]")
    expect(processing).to_contain_text("av 3", timeout=READY_TIMEOUT_MS)
    teacher.shot("processing-live")
    wait_for_status(teacher, "Klar", DONE_TIMEOUT_MS)
    expect(processing).to_contain_text("3 av 3")
    expect(teacher.locator("[data-testid=notifications]")).to_contain_text(
        "Resultaten är klara", timeout=DONE_TIMEOUT_MS
    )
    totals = teacher.locator("[data-testid=batch-totals]")
    expect(totals).to_contain_text("(3)")
    teacher.shot("results")
    assert_accessible(teacher, axe_violations, "the batch's results")

    teacher.locator("[data-testid=results] tbody a", has_text="sara.txt").click()
    teacher.wait_for_url("**/essays/*")
    essay_id = teacher.url.rsplit("/", 1)[1]
    marks = teacher.locator("[data-testid=original-text] mark.misspelling")
    expect(marks.first).to_be_visible()
    assert marks.count() >= 1
    expect(teacher.locator("[data-testid=corrected-text]")).to_be_visible()
    marks.first.focus()
    tooltip = teacher.locator("mark.misspelling:focus + .tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Förslag")
    teacher.shot("essay-misspellings-highlighted")
    assert_accessible(teacher, axe_violations, "an essay's highlighted text")

    other = page("sv")
    sign_in(other, unique("larare-b"), "sv")
    other.goto("/classes")
    expect(other.get_by_text("Du har inga klasser ännu.")).to_be_visible()
    other.goto(f"/classes/{class_id}")
    expect(other.get_by_role("alert")).to_contain_text("Klassen finns inte")
    other.goto(f"/batches/{batch_id}")
    expect(other.get_by_role("alert").first).to_contain_text("Satsen finns inte")
    expect(other.locator("[data-testid=authors]")).to_have_count(0)
    other.goto(f"/batches/{batch_id}/essays/{essay_id}")
    expect(other.get_by_role("alert")).to_contain_text("Satsen finns inte")
    expect(other.locator("[data-testid=original-text]")).to_have_count(0)
    other.shot("teacher-b-sees-nothing")
