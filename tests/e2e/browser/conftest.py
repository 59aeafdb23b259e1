"""The browser-test harness: Debian's Chromium driven by Playwright against the running stack.

Fixtures (Playwright's sync API; tests are plain `def` functions):
- `browser`: one headless Chromium for the session, `/usr/bin/chromium` (Debian's package;
  Playwright's own browser download is never used).
- `page`: a factory, `page(locale="sv")` -> a `BrowserTab`, each in a fresh context (own
  cookies and storage, so two teachers in one test do not share a session). A tab is used as
  a Playwright `Page` (every Page method works on it) and adds `shot(name)`, which writes
  `.local/test-artifacts/browser/<test>/<nn>-<name>.png`, `console_errors` and
  `external_requests`. After the test, every tab must have asked nothing of a host that is
  not this machine: the app and the docs must work without the internet.
- `sign_in(tab, user_id, locale)`: the app's development "sign in as" form, then the
  app's language select.
- `axe_violations(tab)`: axe-core's serious and critical WCAG 2.1 AA violations on the page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[3]
BASE_URL = os.environ.get("HULEEDU_API_URL", "http://127.0.0.1:8080").rstrip("/")
LOCAL_DIR = Path(os.environ.get("HULEEDU_LOCAL_DIR", ROOT / ".local"))
ARTIFACTS = LOCAL_DIR / "test-artifacts" / "browser"
CHROMIUM = Path(os.environ.get("HULEEDU_CHROMIUM", "/usr/bin/chromium"))
AXE_SCRIPT = ROOT / "clients" / "teacher_web" / "node_modules" / "axe-core" / "axe.min.js"
# Without the background-networking flags Chromium keeps trying Google's hosts, which this
# closed network refuses (and a school network may too); Playwright adds --headless and a
# fresh temporary profile (user-data dir) itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOCALES = {"sv": "sv-SE", "en": "en-GB"}
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
_TIMEOUT_MS = 15_000


def is_external(url: str) -> bool:
    """True for a request that would leave this machine (data:, blob: and loopback stay)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension", "devtools"):
        return False
    host = parts.hostname or ""
    return not (host in _LOOPBACK or host.startswith("127."))


@dataclass
class BrowserTab:
    """A page in its own browser context, with screenshots and what it asked of the network."""

    page: Page
    context: BrowserContext
    artifacts: Path
    counter: Callable[[], int]
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        """Screenshot as `<nn>-<name>.png` in this test's artifacts (the whole page by default)."""
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"
        path = self.artifacts / f"{self.counter():02d}-{safe}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def __getattr__(self, name: str) -> Any:
        # Everything else is the Playwright Page's: tab.goto(...), tab.get_by_role(...).
        return getattr(self.page, name)


def _page_of(tab: BrowserTab | Page) -> Page:
    return tab.page if isinstance(tab, BrowserTab) else tab


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests after every other test of the session.

    Playwright's sync API keeps an event loop running on the main thread while its session
    fixture lives; a pytest-asyncio test after it would find that loop and fail to start.
    """
    here = Path(__file__).parent
    items.sort(key=lambda item: here in Path(str(item.path)).parents)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver for the session."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """One headless Debian Chromium for every browser test of the session."""
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: scripts/infra/install.sh installs Debian's chromium "
        "(apt-get install chromium chromium-driver)"
    )
    launched = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., BrowserTab]]:
    """A factory of fresh tabs: `page(locale="sv")`, each in a new browser context."""
    artifacts = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    artifacts.mkdir(parents=True, exist_ok=True)
    for old in artifacts.glob("*.png"):
        old.unlink()
    shots = iter(range(1, 1000))
    tabs: list[BrowserTab] = []

    def open_tab(locale: str = "sv") -> BrowserTab:
        language = LOCALES.get(locale, locale)
        context = browser.new_context(
            base_url=BASE_URL,
            locale=language,
            viewport={"width": 1280, "height": 900},
            extra_http_headers={"Accept-Language": language},
        )
        context.set_default_timeout(_TIMEOUT_MS)
        tab = BrowserTab(context.new_page(), context, artifacts, lambda: next(shots))
        context.on("request", lambda r: is_external(r.url) and tab.external_requests.append(r.url))
        tab.page.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))
        tab.page.on("pageerror", lambda e: tab.console_errors.append(str(e)))
        tabs.append(tab)
        return tab

    yield open_tab
    external = {url for tab in tabs for url in tab.external_requests}
    for tab in tabs:
        tab.context.close()
    assert not external, f"the browser tried to reach hosts outside this machine: {external}"


def _sign_in(tab: BrowserTab | Page, user_id: str, locale: str = "sv") -> None:
    """Sign in through the app's development form, then pick the language as a teacher would.

    The form is a text input labelled "Användare"/"User" (#dev-user) and a button
    (#dev-sign-in); the language is the header's select (#language), which the app keeps.
    """
    page = _page_of(tab)
    page.goto("/")
    page.locator("#dev-user").fill(user_id)
    page.locator("#dev-sign-in").click()
    page.locator("#dev-user").wait_for(state="detached")
    if not str(page.evaluate("document.documentElement.lang")).startswith(locale):
        page.locator("#language").select_option(locale)
    language = page.evaluate("document.documentElement.lang")
    assert str(language).startswith(locale), (
        f"signed in as {user_id} but the app speaks {language!r}, not {locale!r}"
    )


@pytest.fixture
def sign_in() -> Callable[..., None]:
    """`sign_in(tab, user_id, locale)`: the app's development "sign in as" form."""
    return _sign_in


def _axe_violations(tab: BrowserTab | Page) -> list[dict[str, Any]]:
    page = _page_of(tab)
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: run `npm ci` in clients/teacher_web"
    # Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does
    # not block it as it would block an injected <script>.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;void 0")
    results: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const r = await window.axe.run(document, {runOnly: {type: "tag", values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html,
                                          summary: n.failureSummary})),
            }));
        }""",
        WCAG_21_AA,
    )
    return [v for v in results if v["impact"] in ("serious", "critical")]


@pytest.fixture
def axe_violations() -> Callable[[BrowserTab | Page], list[dict[str, Any]]]:
    """`axe_violations(tab)`: serious and critical WCAG 2.1 AA violations (axe-core)."""
    return _axe_violations
