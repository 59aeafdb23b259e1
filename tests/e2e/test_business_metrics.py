"""A class batch through the gateway moves the business counters by exactly what it did.

Every process's /metrics is scraped before and after (the processes themselves, not
Prometheus): the counters of documentation/metrics.md must have moved by the batch's own
numbers: one registration, the files accepted and rejected, the roster's new students, the
teacher's confirmed authors, one readiness, the essays checked and the words they flagged (as
the results API reports them), one completed pipeline, and what the teacher's socket received.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from huleedu_testing.gateway_client import GatewayClient
from huleedu_testing.sample_files import docx_bytes, essay_text, txt_bytes

from .conftest import wait_for

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# Students whose essays name them by email: the suggestions are certain (confidence 1.0).
STUDENTS = (("Öberg", "Åsa", "asa.oberg"), ("Lind", "Erik", "erik.lind"), ("Berg", "Sara", "sara"))
DOMAIN = "elev.skola.se"
MISTAKES = "I think that alot of students recieve to much homework becuase teachers want results."

Sample = tuple[str, frozenset[tuple[str, str]]]
Scrape = dict[Sample, float]


def process_ports() -> dict[str, int]:
    """`service` and `service-worker` -> port, from the service.conf files `make up` reads."""
    ports: dict[str, int] = {}
    for conf in (ROOT / "services").glob("*/service.conf"):
        text = conf.read_text()
        name = conf.parent.name
        for key, suffix in (("HTTP_PORT", ""), ("WORKER_PORT", "-worker")):
            found = re.search(rf"^{key}=(\d+)", text, re.M)
            if found:
                ports[name + suffix] = int(found.group(1))
    return ports


async def scrape(http: aiohttp.ClientSession, port: int) -> Scrape:
    """Every sample of one process's /metrics."""
    async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200, port
        text = await response.text()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def scrape_all(http: aiohttp.ClientSession, ports: Mapping[str, int]) -> dict[str, Scrape]:
    """Every process's samples, by process."""
    scraped = await asyncio.gather(*(scrape(http, port) for port in ports.values()))
    return dict(zip(ports, scraped, strict=True))


def value(scraped: Scrape, name: str, **labels: str) -> float:
    """One sample (0 when the series does not exist yet)."""
    return scraped.get((name, frozenset(labels.items())), 0.0)


def roster_csv() -> bytes:
    rows = [f"{last}, {first};{mail}@{DOMAIN}" for last, first, mail in STUDENTS]
    return ("Namn;E-post\n" + "\n".join(rows) + "\n").encode()


def essay(mail: str, seed: int) -> str:
    """An English essay headed by its author's email, with known misspellings."""
    return f"{mail}@{DOMAIN}\n\n{MISTAKES}\n\n" + essay_text("en", 300, seed=seed)


async def test_a_class_batch_moves_each_business_counter_by_its_own_numbers(
    teacher: GatewayClient, gateway_http: aiohttp.ClientSession
) -> None:
    ports = process_ports()
    before = await scrape_all(gateway_http, ports)
    school_class = await teacher.create_class("Metrics 3B", "ENG7")
    class_id = school_class["class_id"]
    imported = await teacher.import_roster(class_id, roster_csv())
    assert imported["created_count"] == len(STUDENTS), imported

    socket = await teacher.open_socket()
    try:
        sockets_open = await scrape(gateway_http, ports["api_gateway_service"])
        batch_id = (await teacher.register_batch("ENG7", 3, class_id=class_id))["batch_id"]
        upload = await teacher.upload(
            batch_id,
            [
                ("asa.docx", docx_bytes(essay("asa.oberg", 31))),
                ("erik.docx", docx_bytes(essay("erik.lind", 32))),
                ("sara.txt", txt_bytes(essay("sara", 33), "utf-8")),
                ("tom.txt", b""),
            ],
        )
        assert (upload["accepted_count"], upload["rejected_count"]) == (3, 1), upload
        async with asyncio.timeout(90):
            await socket.wait_for("student_matching_required", batch_id)

        async def all_suggested() -> bool:
            found = await teacher.associations(batch_id)
            return all(a["suggested_student_id"] for a in found["associations"])

        await wait_for(all_suggested, seconds=30, what="every essay's suggested author")
        confirmed = await teacher.confirm_associations(batch_id, accept_suggestions=True)
        assert confirmed["status"] == "confirmed", confirmed
        async with asyncio.timeout(60):
            await socket.wait_for("batch_ready", batch_id)
        await teacher.request_pipeline(batch_id)
        async with asyncio.timeout(120):
            await socket.wait_for("batch_results_ready", batch_id)

        status = await teacher.batch(batch_id)
        assert status["status"] == "completed", status
        flagged = 0
        for item in status["essays"]:
            result = await teacher.essay(batch_id, item["essay_id"])
            flagged += len(result["spellcheck"]["misspellings"])
        assert flagged >= 3 * 3, "each essay has at least its three known misspellings"

        gateway = ports["api_gateway_service"]
        live_before = value(
            before["api_gateway_service"], "huleedu_ws_deliveries_total", kind="live"
        )

        async def every_frame_counted() -> bool:
            # The socket's last notifications may still be on their way: compare until equal.
            now = await scrape(gateway_http, gateway)
            live = value(now, "huleedu_ws_deliveries_total", kind="live") - live_before
            return live == len(socket.received)

        await wait_for(every_frame_counted, seconds=15, what="one live delivery per frame")
    finally:
        await socket.close()

    after = await scrape_all(gateway_http, ports)
    bos, els, cms = (
        "batch_orchestrator_service",
        "essay_lifecycle_service",
        "class_management_service",
    )
    spell = "spellchecker_service"
    expected = [
        (bos, "huleedu_batches_registered_total", {"course": "ENG7"}, 1),
        ("file_service", "huleedu_essays_uploaded_total", {"file_type": "docx"}, 2),
        ("file_service", "huleedu_essays_uploaded_total", {"file_type": "txt"}, 1),
        ("file_service", "huleedu_essays_rejected_total", {"error_code": "EMPTY_FILE"}, 1),
        (cms, "huleedu_students_imported_total", {}, len(STUDENTS)),
        (cms, "huleedu_associations_confirmed_total", {"method": "human"}, 3),
        (f"{els}-worker", "huleedu_batches_ready_total", {"partial": "false"}, 1),
        (f"{els}-worker", "huleedu_batch_upload_to_ready_seconds_count", {}, 1),
        (
            f"{els}-worker",
            "huleedu_pipeline_phase_duration_seconds_count",
            {"phase": "spellcheck"},
            1,
        ),
        (spell, "huleedu_essays_spellchecked_total", {"language": "en", "outcome": "success"}, 3),
        (spell, "huleedu_essays_spellchecked_total", {"language": "en", "outcome": "failure"}, 0),
        (spell, "huleedu_misspellings_found_total", {"language": "en"}, flagged),
        (f"{bos}-worker", "huleedu_batches_completed_total", {"outcome": "completed"}, 1),
        (f"{bos}-worker", "huleedu_batch_ready_to_results_seconds_count", {}, 1),
    ]

    def moved(process: str, name: str, labels: dict[str, str]) -> float:
        return value(after[process], name, **labels) - value(before[process], name, **labels)

    assert {
        (process, name, str(labels)): moved(process, name, labels)
        for process, name, labels, _ in expected
    } == {(process, name, str(labels)): amount for process, name, labels, amount in expected}
    # The teacher's socket was counted while it was open.
    open_sockets = value(sockets_open, "huleedu_ws_sockets")
    assert open_sockets == value(before["api_gateway_service"], "huleedu_ws_sockets") + 1
