"""Steps of the teacher web app's browser tests: essays on disk, and what a teacher clicks.

Every step goes through the app in the browser (which talks only to the public gateway);
the files are real .docx/.pdf/.txt essays built by the File Service's sample builders.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect

from huleedu_testing.sample_files import docx_bytes, essay_text, pdf_bytes, txt_bytes

# Processing a class set takes the platform a while on two cores; these bound each wait.
READY_TIMEOUT_MS = 120_000
DONE_TIMEOUT_MS = 180_000

# A Swedish school's export: semicolons, Swedish headers, "Last, First" names.
ROSTER_CSV = (
    "Namn;E-post\n"
    "Öberg, Åsa;asa.oberg@elev.skola.se\n"
    "Lind, Erik;erik.lind@elev.skola.se\n"
    "Holm, Erik;erik.holm@elev.skola.se\n"
    "Berg, Sara;sara.berg@elev.skola.se\n"
)
# Row 2 has no email, row 3 a broken one: the app must show both against their rows.
BAD_ROSTER_CSV = (
    "Namn;E-post\n"
    "Nyström, Johanna;johanna.nystrom@elev.skola.se\n"
    "Karlsson, Ali;\n"
    "Persson, Li;li.persson@\n"
)


def unique(prefix: str) -> str:
    """An id no other test run uses (the stack keeps every teacher's data)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def essay(header: str, seed: int, extra: str = "") -> str:
    """An English essay with its author's header and the sample's own misspellings."""
    return f"{header}\n\n{extra}" + essay_text("en", 220, seed=seed)


@dataclass(frozen=True)
class EssayFolder:
    """A folder of essays as a teacher would have it, and what the platform should make of it."""

    path: Path
    good: list[str]
    bad: str


def class_essay_folder(root: Path) -> EssayFolder:
    """Three essays (.docx, .pdf, .txt) whose headers name roster students, and an empty file."""
    folder = root / "uppsatser 9A"
    folder.mkdir(parents=True)
    (folder / "asa.docx").write_bytes(docx_bytes(essay("Namn: Åsa Öberg\nKlass: 9A", 31)))
    (folder / "erik.pdf").write_bytes(pdf_bytes(essay("erik.lind@elev.skola.se", 32)))
    (folder / "sara.txt").write_bytes(txt_bytes(essay("Name: Sara Bergh", 33), "utf-8"))
    (folder / "tom.txt").write_bytes(b"")
    return EssayFolder(folder, ["asa.docx", "erik.pdf", "sara.txt"], "tom.txt")


def plain_essay_folder(root: Path, count: int, name: str = "essays") -> Path:
    """`count` distinct .txt essays (no class: no authors to confirm)."""
    folder = root / name
    folder.mkdir(parents=True)
    for seed in range(count):
        opening = (
            f"My essay number {seed} was written in year {2000 + seed}, and I recieved help.\n\n"
        )
        text = essay(f"Name: Student {seed}", 100 + seed, opening)
        (folder / f"essay-{seed:02d}.txt").write_bytes(txt_bytes(text, "utf-8"))
    return folder


def create_class(page: Page, name: str, course: str = "ENG5") -> str:
    """Create a class on /classes and open it; returns its id."""
    page.goto("/classes")
    page.locator("#class-name").fill(name)
    page.locator("#class-course").select_option(course)
    page.locator("#create-class").click()
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_url("**/classes/*")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    return page.url.rsplit("/", 1)[1]


def import_roster(page: Page, tmp: Path, csv_text: str, filename: str = "klasslista.csv") -> None:
    """Choose a roster file on the class page (the drop zone's keyboard path)."""
    path = tmp / filename
    path.write_text(csv_text, encoding="utf-8")
    page.locator("#roster-file").set_input_files(str(path))


def create_batch(page: Page, *, course: str, expected: int, class_name: str | None = None) -> str:
    """Create a batch on /batches; the app opens it; returns its id."""
    page.goto("/batches")
    page.locator("#batch-course").select_option(course)
    if class_name:
        page.locator("#batch-class").select_option(label=class_name)
    page.locator("#batch-expected").fill(str(expected))
    page.locator("#batch-instructions").fill("Argue for or against a later school start.")
    page.locator("#create-batch").click()
    page.wait_for_url("**/batches/*")
    return page.url.rsplit("/", 1)[1]


def upload_folder(page: Page, folder: Path) -> None:
    """Choose a whole folder with the upload panel's folder button."""
    page.locator("#essay-folder").set_input_files(str(folder))


def wait_for_status(page: Page, text: str, timeout_ms: int) -> None:
    """Wait until the batch's progress heading names this status (live or after a refresh)."""
    expect(page.locator("#progress-title")).to_contain_text(text, timeout=timeout_ms)


def run_spellcheck(page: Page) -> None:
    """Start the default pipeline (spelling) once the batch is ready (the button enables itself)."""
    button = page.locator("#run-pipeline")
    expect(button).to_be_enabled(timeout=READY_TIMEOUT_MS)
    button.click()


def results_render_ms(page: Page) -> float:
    """When the results table first rendered with its rows, in ms since navigation started."""
    mark = page.evaluate(
        "() => performance.getEntriesByName('huleedu:results-rendered').map(e => e.startTime)[0]"
    )
    assert mark is not None, "the results page never rendered its rows"
    return float(mark)


def write_figure(artifacts: Path, name: str, value: object) -> None:
    """Keep a measured figure next to the screenshots (the tests never assert time)."""
    figures = artifacts / "figures.json"
    known = json.loads(figures.read_text()) if figures.exists() else {}
    known[name] = value
    figures.write_text(json.dumps(known, indent=2))
