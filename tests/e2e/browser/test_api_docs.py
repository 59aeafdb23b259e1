"""The API docs render in a browser without the internet: Swagger UI at /docs, ReDoc at /redoc.

FastAPI's own pages load both from a CDN and stay blank on a closed network; the gateway
serves their files itself. The harness fails a test whose page asked anything of a host
outside this machine; here the pages must also run without a CSP violation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

OpenTab = Callable[..., Any]


def _csp_violations(console_errors: list[str]) -> list[str]:
    return [e for e in console_errors if "Content Security Policy" in e or "Refused to" in e]


def test_swagger_ui_shows_the_routes(page: OpenTab) -> None:
    tab = page(locale="en")

    tab.goto("/docs")

    register = tab.locator("#operations-batches-create_batch_v1_batches_post")
    expect(register).to_be_visible()
    expect(register).to_contain_text("/v1/batches")
    expect(register).to_contain_text("Register a batch")
    roster = "#operations-classes-import_roster_v1_classes__class_id__roster_post"
    expect(tab.locator(roster)).to_contain_text("/v1/classes/{class_id}/roster")
    tab.shot("swagger-ui", full_page=False)
    register.locator(".opblock-summary-control").click()
    expect(register.get_by_role("button", name="Try it out")).to_be_visible()
    tab.shot("swagger-ui-operation-open", full_page=False)
    assert not _csp_violations(tab.console_errors), tab.console_errors


def test_redoc_shows_the_routes(page: OpenTab) -> None:
    tab = page(locale="en")

    tab.goto("/redoc")

    expect(tab.locator("h1").first).to_contain_text("HuleEdu API")
    expect(tab.get_by_role("heading", name="Register a batch")).to_be_visible()
    expect(tab.get_by_text("/v1/batches", exact=True).first).to_be_attached()
    tab.shot("redoc", full_page=False)
    assert not _csp_violations(tab.console_errors), tab.console_errors
