"""The teacher web app's API types (clients/teacher_web/src/api/schema.d.ts) match the gateway.

The gateway app is built in-process, as the local stack runs it (in development, so with the
development token route the app's sign-in uses), and its OpenAPI document is turned into
TypeScript by the app's own generator (scripts/gen-api.mjs, openapi-typescript). No network and
no running stack: only Node.js and the app's node_modules (installed here when missing).
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from api_gateway_service.app import create_app
from api_gateway_service.config import GatewaySettings
from huleedu_service_libs.config import Environment

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
WEB_APP = ROOT / "clients" / "teacher_web"
SCHEMA = WEB_APP / "src" / "api" / "schema.d.ts"
GENERATOR_PACKAGE = WEB_APP / "node_modules" / "openapi-typescript" / "package.json"
# The gateway's settings come from API_GATEWAY_SERVICE_* variables; none may shape the document.
ENV_PREFIX = "API_GATEWAY_SERVICE_"
DIFF_LINES = 40


def gateway_openapi() -> dict[str, Any]:
    """The document GET /openapi.json answers on the gateway of the local (development) stack."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.upper().startswith(ENV_PREFIX):
                patch.delenv(name)
        app = create_app(GatewaySettings(environment=Environment.DEVELOPMENT))
        return app.openapi()


def ensure_node_modules() -> None:
    """npm ci (through scripts/web.sh, which checks the Node.js version) when not yet done."""
    if not GENERATOR_PACKAGE.is_file():
        subprocess.run([str(ROOT / "scripts" / "web.sh"), "deps"], cwd=ROOT, check=True)


def generate_schema(document: dict[str, Any], workdir: Path) -> str:
    """What `npm run gen:api -- <document>` writes, written to workdir instead of src/api."""
    source = workdir / "openapi.json"
    out = workdir / "schema.d.ts"
    source.write_text(json.dumps(document), encoding="utf-8")
    result = subprocess.run(
        ["node", "scripts/gen-api.mjs", str(source), "--out", str(out)],
        cwd=WEB_APP,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"gen-api.mjs failed:\n{result.stdout}{result.stderr}"
    return out.read_text(encoding="utf-8")


def drift(checked_in: Path, generated: str) -> str | None:
    """None when the file is what the generator makes; else what to do, with a short diff."""
    current = checked_in.read_text(encoding="utf-8")
    if current == generated:
        return None
    diff = list(
        difflib.unified_diff(
            current.splitlines(),
            generated.splitlines(),
            fromfile="checked in: clients/teacher_web/src/api/schema.d.ts",
            tofile="generated from the gateway's OpenAPI document",
            n=2,
            lineterm="",
        )
    )
    shown = diff[:DIFF_LINES]
    if len(diff) > DIFF_LINES:
        shown.append(f"... ({len(diff) - DIFF_LINES} more diff lines)")
    return (
        "clients/teacher_web/src/api/schema.d.ts is out of date with the gateway's OpenAPI "
        "document. Regenerate it in clients/teacher_web with `npm run gen:api` while the stack "
        "is up (`make up`; its gateway runs in development), or from a saved document with "
        "`npm run gen:api -- path/to/openapi.json`, then commit the result.\n" + "\n".join(shown)
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> str:
    ensure_node_modules()
    return generate_schema(gateway_openapi(), tmp_path_factory.mktemp("api-types"))


def test_the_checked_in_api_types_match_the_gateway(generated: str) -> None:
    problem = drift(SCHEMA, generated)
    if problem:
        pytest.fail(problem, pytrace=False)


def test_the_documented_routes_include_the_development_sign_in(generated: str) -> None:
    # The app mints development tokens through this route; it exists only in development,
    # so the types must come from a development gateway.
    assert '"/v1/dev/tokens"' in generated
    assert '"/v1/classes"' in generated


def test_a_stale_copy_is_reported_with_how_to_regenerate_and_a_diff(
    generated: str, tmp_path: Path
) -> None:
    stale = tmp_path / "schema.d.ts"
    stale.write_text(
        SCHEMA.read_text(encoding="utf-8").replace("expected_essay_count: number;", "", 1),
        encoding="utf-8",
    )

    problem = drift(stale, generated)

    assert problem is not None
    assert "npm run gen:api" in problem
    assert "+            expected_essay_count: number;" in problem
    assert len(problem.splitlines()) <= DIFF_LINES + 2
