"""After a class batch runs, every Grafana panel's query returns data from the real Prometheus.

Grafana cannot run here, so this test plays its part: it reads the committed dashboard JSON,
resolves the `service` variable the way the dashboard defines it (`label_values(...)`), and
asks the stack's Prometheus each panel's expression through the HTTP API Grafana uses.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from huleedu_dashboards import PanelQuery, committed_dashboards, panel_queries, substitute
from huleedu_testing.gateway_client import GatewayClient
from huleedu_testing.sample_files import docx_bytes, essay_text, txt_bytes

from .conftest import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
# The stack's Prometheus (scripts/infra/prometheus.sh; a fixed port, like prometheus.yml's).
PROMETHEUS_URL = "http://127.0.0.1:9090"
SERVICES = {path.parent.name for path in (ROOT / "services").glob("*/service.conf")}
LABEL_VALUES = re.compile(r"label_values\((\w+),\s*(\w+)\)")
ROSTER_CSV = "Namn;E-post\nÖberg, Åsa;asa.oberg@elev.skola.se\nLind, Erik;erik.lind@elev.skola.se\n"


async def prometheus(http: aiohttp.ClientSession, path: str, **params: str) -> Any:
    """The `data` of one Prometheus HTTP API answer (failing on an error status)."""
    async with http.get(f"{PROMETHEUS_URL}{path}", params=params) as resp:
        body = await resp.json()
    assert body["status"] == "success", body
    return body["data"]


async def has_series(http: aiohttp.ClientSession, expr: str) -> bool:
    """True when an instant query of `expr` returns at least one series (or a scalar)."""
    data = await prometheus(http, "/api/v1/query", query=expr)
    return data["resultType"] == "scalar" or bool(data["result"])


async def variable_values(
    http: aiohttp.ClientSession, board: dict[str, Any]
) -> dict[str, list[str]]:
    """Every value of each of the dashboard's query variables, as Grafana would list them."""
    values: dict[str, list[str]] = {}
    for variable in board["templating"].get("list", []):
        match = LABEL_VALUES.fullmatch(variable["query"])
        assert match, f"{board['title']}: ${variable['name']} is not a label_values() query"
        metric, label = match.groups()
        values[variable["name"]] = await prometheus(
            http, f"/api/v1/label/{label}/values", **{"match[]": metric}
        )
    return values


async def returns_data(
    http: aiohttp.ClientSession, query: PanelQuery, values: dict[str, list[str]]
) -> bool:
    """True when the target returns data for at least one value of its dashboard's variables."""
    if not values:
        return await has_series(http, query.expr)
    (name, options), *rest = values.items()
    assert not rest, "one variable per dashboard; extend this to a product of values"
    for option in options:
        if await has_series(http, substitute(query.expr, {name: option})):
            return True
    return False


def essay(student: str, seed: int) -> str:
    """An English essay with its author's name in the header, known misspellings and a grammar
    error LanguageTool flags (HE_VERB_AGR), so the grammar panels have data too."""
    mistakes = "I recieve alot of homework becuase of the exams. He go to school every day."
    return f"Name: {student}\n\n{mistakes}\n\n" + essay_text("en", 260, seed=seed)


async def suggested_for_all(teacher: GatewayClient, batch_id: str, count: int) -> bool:
    """True once every essay of the batch has a suggested author."""
    body = await teacher.associations(batch_id)
    return sum(a["suggested_student_id"] is not None for a in body["associations"]) == count


async def run_class_batch(teacher: GatewayClient, other_teacher: GatewayClient) -> None:
    """A class batch from roster to results, with a foreign 404 and a refused file on the way."""
    class_id = (await teacher.create_class("Dashboards 9B", "ENG5"))["class_id"]
    await teacher.import_roster(class_id, ROSTER_CSV.encode(), filename="9B.csv")
    socket = await teacher.open_socket()
    try:
        batch_id = (await teacher.register_batch("ENG5", 2, class_id=class_id))["batch_id"]
        files = [
            ("asa.docx", docx_bytes(essay("Åsa Öberg", 31))),
            ("erik.txt", txt_bytes(essay("Erik Lind", 32), "utf-8")),
        ]
        assert (await teacher.upload(batch_id, files))["accepted_count"] == 2
        async with asyncio.timeout(90):
            await socket.wait_for("student_matching_required", batch_id)
        await wait_for(
            lambda: suggested_for_all(teacher, batch_id, 2), seconds=30, what="suggested authors"
        )
        await teacher.confirm_associations(batch_id, accept_suggestions=True)
        async with asyncio.timeout(60):
            await socket.wait_for("batch_ready", batch_id)
        await teacher.request_pipeline(batch_id, "spellcheck+grammar")
        async with asyncio.timeout(150):
            await socket.wait_for("batch_results_ready", batch_id)
        status, _, _ = await other_teacher.call("GET", f"/v1/batches/{batch_id}")
        assert status == 404
    finally:
        await socket.close()
    # A refused file, so the rejection and error panels have something to count.
    other_batch = (await teacher.register_batch("ENG5", 1))["batch_id"]
    await teacher.upload(other_batch, [("empty.txt", b"")], status=422)


async def missing_data(http: aiohttp.ClientSession, pending: set[PanelQuery]) -> list[str]:
    """Targets (removed from `pending` once answered) and variable values still without data."""
    boards = {board["title"]: board for board in committed_dashboards()}
    values = {title: await variable_values(http, board) for title, board in boards.items()}
    missing = [
        f"{title}: ${name} offers {sorted(options)}, not every service"
        for title, by_name in values.items()
        for name, options in by_name.items()
        if not set(options) >= SERVICES
    ]
    for query in sorted(pending, key=lambda q: (q.dashboard, q.panel, q.ref_id)):
        if await returns_data(http, query, values[query.dashboard]):
            pending.discard(query)
        else:
            missing.append(f"{query.dashboard} / {query.panel} [{query.ref_id}]: {query.expr}")
    return missing


async def prometheus_ready(http: aiohttp.ClientSession) -> bool:
    """True once Prometheus answers /-/ready."""
    try:
        async with http.get(f"{PROMETHEUS_URL}/-/ready") as resp:
            return resp.status == 200
    except aiohttp.ClientError:
        return False


async def test_every_dashboard_panel_returns_data_after_a_class_batch(
    teacher: GatewayClient, other_teacher: GatewayClient
) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        await wait_for(
            lambda: prometheus_ready(http), seconds=60, what=f"Prometheus at {PROMETHEUS_URL}"
        )
        await run_class_batch(teacher, other_teacher)

        pending = {q for board in committed_dashboards() for q in panel_queries(board)}
        assert len(pending) > 40
        last: list[str] = []

        async def answered() -> bool:
            nonlocal last
            last = await missing_data(http, pending)
            return not last

        # New series need a few scrapes (and rule evaluations) before rate() sees two samples.
        try:
            await wait_for(answered, seconds=180, what="every panel's data", poll=5)
        except AssertionError:
            raise AssertionError("without data:\n" + "\n".join(last)) from None
