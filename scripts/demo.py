"""`make demo`: run a sample English and Swedish batch through a running stack (`make up`).

It speaks only the public gateway API, as a teacher's browser or the `huleedu` CLI does: a
development token, REST for the actions and the WebSocket for live progress. The essays are the
team's own, with the kind of mistakes learners make.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import aiohttp

from huleedu_testing.gateway_client import GatewayClient, Notifications
from huleedu_testing.sample_files import docx_bytes, essay_text, pdf_bytes, txt_bytes

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


async def run_batch(
    http: aiohttp.ClientSession, course: str, lang: str, count: int
) -> dict[str, Any]:
    """Register, upload, wait for readiness, request spellcheck, wait, summarise."""
    teacher = GatewayClient(http, user_id=f"demo-teacher-{course.lower()}")
    await teacher.login()
    socket = await teacher.open_socket()
    printer = asyncio.create_task(print_notifications(socket, course))
    started = time.perf_counter()
    try:
        batch_id = (await teacher.register_batch(course, count))["batch_id"]
        print(f"[{course}] batch {batch_id} registered for {count} essays")
        upload = await teacher.upload(batch_id, essays(lang, count))
        accepted, rejected = upload.get("accepted_count"), upload.get("rejected_count")
        print(f"[{course}] uploaded: {accepted} accepted, {rejected} rejected")
        async with asyncio.timeout(180):
            await socket.wait_for("batch_ready", batch_id)
            await teacher.request_pipeline(batch_id)
            print(f"[{course}] spellcheck requested")
            await socket.wait_for("batch_results_ready", batch_id)
        batch = await teacher.batch(batch_id)
    finally:
        printer.cancel()
        await socket.close()
    return {
        "course": course,
        "status": batch["status"],
        "seconds": time.perf_counter() - started,
        "essays": batch.get("essays", []),
    }


async def print_notifications(socket: Notifications, course: str) -> None:
    """Print each notification as the teacher's WebSocket receives it."""
    shown = 0
    while True:
        for note in socket.received[shown:]:
            print(f"[{course}]   ws: {note['notification_type']:<24} {note.get('message', '')}")
        shown = len(socket.received)
        await asyncio.sleep(0.1)


async def main(count: int) -> int:
    """Run both batches concurrently through the gateway and print a summary table."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
            results = await asyncio.gather(
                run_batch(http, "ENG5", "en", count), run_batch(http, "SV2", "sv", count)
            )
    except aiohttp.ClientConnectorError as exc:
        print(
            f"The gateway is not reachable ({exc}); start the stack with `make up`.",
            file=sys.stderr,
        )
        return 1
    print("\nSummary")
    for result in results:
        print(f"  {result['course']}: {result['status']} in {result['seconds']:.1f} s")
        for essay in result["essays"]:
            name = essay.get("filename") or essay.get("essay_id")
            corrections = essay.get("correction_count", "?")
            print(f"    {name:<22} {essay.get('status'):<22} corrections: {corrections}")
    return 0 if all(r["status"] == "completed" for r in results) else 2


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--essays", type=int, default=6, help="essays per batch")
    raise SystemExit(asyncio.run(main(parser.parse_args().essays)))
