"""`make demo`: run a sample English and Swedish batch through a running stack (`make up`).

Until the gateway exists it speaks the services' internal APIs (as the gateway will) and
publishes the pipeline request to Kafka itself. The essays are the team's own, with the kind of
mistakes learners make.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import aiohttp

from file_service.sample_files import docx_bytes, essay_text, pdf_bytes, txt_bytes
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.testing.platform_client import FINAL_STATUSES, PlatformClient

_LAST_SEEN: dict[str, str] = {}  # batch id -> last status printed

ENGLISH_OPENINGS = [
    "I belive that school uniforms is a bad idea becuase they take away are freedom.",
    "Alot of people think social media is dangerus, but I think it can be usefull to.",
    "In my opinion homework should be forbiden, becouse students allready work hard in school.",
]
SWEDISH_OPENINGS = [
    "Jag tycker att mobiltelefoner borde förbjudas i skolan eftersomm dom stör lektionerna.",
    "Många ungdommar läser för lite böcker nu för tiden, och det är ett stort problemm.",
    "Det är viktigt att alla får chansen att idrotta, oavsett vart man bor i landet.",
]


def essays(lang: str, count: int) -> list[tuple[str, bytes]]:
    """Files of three formats with a student header and learner mistakes."""
    openings = ENGLISH_OPENINGS if lang == "en" else SWEDISH_OPENINGS
    label = "Name" if lang == "en" else "Namn"
    names = ["Anna Svensson", "Erik Lindqvist", "Sara Öberg", "Jonas Åkesson", "Lina Ek"]
    files = []
    for n in range(count):
        text = f"{label}: {names[n % len(names)]}\n\n{openings[n % 3]}\n\n" + essay_text(
            lang, 250, seed=n + (0 if lang == "en" else 50)
        )
        builder, ext = [
            (docx_bytes, "docx"),
            (pdf_bytes, "pdf"),
            (lambda t: txt_bytes(t, "utf-8"), "txt"),
        ][n % 3]
        files.append((f"{lang}_essay_{n + 1}.{ext}", builder(text)))
    return files


async def run_batch(client: PlatformClient, course: str, lang: str, count: int) -> dict[str, Any]:
    """Register, upload, wait for readiness, request spellcheck, wait, summarise."""
    started = time.perf_counter()
    batch_id = (await client.register_batch(course, count))["batch_id"]
    print(f"[{course}] batch {batch_id} registered for {count} essays")
    upload = await client.upload(batch_id, essays(lang, count))
    accepted, rejected = upload.get("accepted_count"), upload.get("rejected_count")
    print(f"[{course}] uploaded: {accepted} accepted, {rejected} rejected")
    await wait_status(client, batch_id, course, {"ready_for_pipeline"})
    await client.request_pipeline(batch_id)
    print(f"[{course}] spellcheck requested")
    final = await wait_status(client, batch_id, course, set(FINAL_STATUSES))
    status = await client.essay_status(batch_id)
    return {
        "course": course,
        "status": final,
        "seconds": time.perf_counter() - started,
        "essays": status.get("essays", []),
    }


async def wait_status(
    client: PlatformClient, batch_id: str, course: str, wanted: set[str], limit: float = 180
) -> str:
    """Poll the orchestrator, printing each status change, until one of `wanted`."""
    seen = _LAST_SEEN.get(batch_id, "")
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        status = (await client.pipeline_state(batch_id))["status"]
        if status != seen:
            seen = _LAST_SEEN[batch_id] = status
            print(f"[{course}]   status: {seen}")
        if seen in wanted:
            return seen
        await asyncio.sleep(0.5)
    raise SystemExit(f"[{course}] gave up waiting for {wanted}; last status {seen}")


async def main(count: int) -> int:
    """Run both batches concurrently and print a summary table."""
    producer = KafkaEventProducer(InfraSettings().kafka_bootstrap_servers, client_id="demo")
    try:
        await producer.start()
    except Exception as exc:
        print(f"Kafka is not reachable ({exc!r}); start the stack with `make up`.", file=sys.stderr)
        return 1
    try:
        async with aiohttp.ClientSession() as http:
            results = await asyncio.gather(
                run_batch(PlatformClient(http, producer), "ENG5", "en", count),
                run_batch(PlatformClient(http, producer), "SV2", "sv", count),
            )
    except aiohttp.ClientConnectorError as exc:
        print(
            f"A service is not reachable ({exc}); start the stack with `make up`.", file=sys.stderr
        )
        return 1
    finally:
        await producer.stop()
    print("\nSummary")
    for result in results:
        print(f"  {result['course']}: {result['status']} in {result['seconds']:.1f} s")
        for essay in result["essays"]:
            name = essay.get("original_file_name") or essay.get("essay_id")
            misspellings = essay.get("spellcheck_correction_count", "?")
            print(f"    {name:<22} {essay.get('status'):<22} corrections: {misspellings}")
    return 0 if all(r["status"] == "completed" for r in results) else 2


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--essays", type=int, default=6, help="essays per batch")
    raise SystemExit(asyncio.run(main(parser.parse_args().essays)))
