"""Every page of the teacher app, in Swedish and in English: zero serious or critical
WCAG 2.1 AA violations (axe-core), and every text in the page's language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .teacher_steps import (
    DONE_TIMEOUT_MS,
    READY_TIMEOUT_MS,
    ROSTER_CSV,
    create_batch,
    create_class,
    import_roster,
    plain_essay_folder,
    run_spellcheck,
    unique,
    upload_folder,
    wait_for_status,
)

pytestmark = pytest.mark.e2e

# The words each page shows in each language: proof that the page speaks it.
WORDS = {
    "sv": {"done": "Klar", "ready": "Redo att bearbetas", "classes": "Klasser", "erase": "Radera"},
    "en": {"done": "Done", "ready": "Ready to process", "classes": "Classes", "erase": "Erase"},
}


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_every_page_passes_axe(
    locale: str,
    page: Callable[..., Any],
    sign_in: Callable[..., None],
    axe_violations: Callable[[Any], list[dict[str, Any]]],
    tmp_path: Path,
) -> None:
    words = WORDS[locale]
    tab = page(locale)
    found: dict[str, list[dict[str, Any]]] = {}

    def check(name: str) -> None:
        tab.shot(f"{locale}-{name}")
        violations = axe_violations(tab)
        if violations:
            found[name] = violations

    tab.goto("/sign-in")
    if locale != "sv":
        tab.locator("#language").select_option(locale)
    expect(tab.locator("#dev-user")).to_be_visible()
    check("sign-in")

    sign_in(tab, unique(f"a11y-{locale}"), locale)
    class_name = unique("7B")
    create_class(tab, class_name)
    import_roster(tab, tmp_path, ROSTER_CSV)
    expect(tab.locator("[data-testid=students] tbody tr")).to_have_count(4)
    check("class")
    tab.locator("[data-testid=students] tbody tr").first.get_by_role(
        "button", name=words["erase"]
    ).click()
    expect(tab.locator("dialog[open]")).to_be_visible()
    check("erase-dialog")
    tab.keyboard.press("Escape")
    expect(tab.locator("dialog[open]")).to_have_count(0)

    tab.goto("/classes")
    expect(tab.get_by_role("heading", level=1)).to_have_text(words["classes"])
    check("classes")

    batch_id = create_batch(tab, course="ENG7", expected=1)
    upload_folder(tab, plain_essay_folder(tmp_path, 1))
    wait_for_status(tab, words["ready"], READY_TIMEOUT_MS)
    check("batch-ready")
    run_spellcheck(tab)
    wait_for_status(tab, words["done"], DONE_TIMEOUT_MS)
    check("batch-results")

    tab.goto("/batches")
    expect(tab.locator(f'a[href="/batches/{batch_id}"]')).to_be_visible()
    check("batches")

    tab.goto(f"/batches/{batch_id}")
    tab.locator("[data-testid=results] tbody a").first.click()
    expect(tab.locator("[data-testid=original-text] mark").first).to_be_visible()
    check("essay")

    tab.goto("/notifications")
    expect(tab.locator("[data-testid=notifications] li").first).to_be_visible()
    check("notifications")

    tab.goto("/no-such-page")
    check("not-found")

    assert not found, f"axe ({locale}): {found}"
