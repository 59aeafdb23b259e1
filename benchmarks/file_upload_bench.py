"""File Service upload latency over real HTTP, and text extraction time per format.

Run with `make bench` (infrastructure must be up). The Content Service and the File Service run
as hypercorn subprocesses against throwaway schemas in the test database, with an in-process
BOS stub; this process is only the load generator. Each upload is one batch of 30 distinct
~500-word .docx essays sent as multipart. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from bench_support import scratch_schema
from file_service.domain.limits import ValidationLimits
from file_service.domain.validation import AcceptedFile, validate_file
from huleedu_service_libs.config import InfraSettings
from huleedu_testing import random_id
from huleedu_testing.bos_stub import BosStub
from huleedu_testing.sample_files import (
    docx_bytes,
    essay_text,
    odt_bytes,
    pdf_bytes,
    rtf_bytes,
    txt_bytes,
)
from huleedu_testing.servers import free_port, wait_until_answering
from huleedu_testing.stats import percentile

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "huleedu_libs_test"
KEY = "bench-internal-api-key"
TARGET = "30-essay upload p95 < 1.5 s"
Builder = Callable[[str], bytes]
FORMATS: dict[str, Builder] = {
    "docx": docx_bytes,
    "odt": odt_bytes,
    "pdf": pdf_bytes,
    "rtf": rtf_bytes,
    "txt": lambda essay: txt_bytes(essay, "utf-8"),
}


def essay(seed: int, words: int) -> str:
    """A Swedish essay made unique by its student header (bodies alone repeat across seeds)."""
    return essay_text("sv", words, header=f"Namn: Elev Nummer{seed}\nKlass: SA22b", seed=seed)


@asynccontextmanager
async def service(
    module: str, prefix: str, settings: dict[str, str], log_dir: Path
) -> AsyncIterator[str]:
    """Run `python -m module` with PREFIX_* settings until the block ends; yield its URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefix)}
    env.update({f"{prefix}{k.upper()}": v for k, v in settings.items()})
    env.update(
        {
            f"{prefix}HTTP_PORT": str(port),
            f"{prefix}INTERNAL_API_KEY": KEY,
            f"{prefix}DATABASE_NAME": DATABASE,
            f"{prefix}ENVIRONMENT": "test",
            f"{prefix}LOG_LEVEL": "WARNING",
            f"{prefix}LOG_FORMAT": "json",
        }
    )
    log_path = log_dir / f"{module}.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            await wait_until_answering(f"{url}/healthz", timeout_seconds=60)
        except TimeoutError:
            print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        yield url
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), timeout=30)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def upload_batches(
    url: str, bos: BosStub, batches: list[list[tuple[str, bytes]]]
) -> tuple[list[float], int]:
    """Upload each batch into a new BOS batch, one after another; (seconds each, failures)."""
    latencies: list[float] = []
    failures = 0
    async with aiohttp.ClientSession() as http:
        for files in batches:
            batch_id, user_id = random_id(), random_id()
            bos.add_batch(batch_id, user_id, expected_essay_count=len(files))
            form = aiohttp.FormData(quote_fields=False)
            for name, data in files:
                form.add_field("files", data, filename=name)
            headers = {"X-User-ID": user_id, "X-Internal-API-Key": KEY}
            started = time.perf_counter()
            async with http.post(
                f"{url}/internal/v1/batches/{batch_id}/files", data=form, headers=headers
            ) as response:
                body = await response.json()
            latencies.append(time.perf_counter() - started)
            if response.status != 201 or body.get("accepted_count") != len(files):
                failures += 1
                print(f"  upload answered {response.status}: {str(body)[:300]}", file=sys.stderr)
    return latencies, failures


def extraction_times(words: int, runs: int) -> dict[str, tuple[float, int]]:
    """Median milliseconds of validate_file per format, with the file's size in bytes."""
    limits = ValidationLimits()
    results: dict[str, tuple[float, int]] = {}
    for extension, build in FORMATS.items():
        data = build(essay(7, words))
        outcome = validate_file(f"uppsats.{extension}", data, limits)
        if not isinstance(outcome, AcceptedFile):
            print(f"  {extension}: rejected ({outcome.code})", file=sys.stderr)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            validate_file(f"uppsats.{extension}", data, limits)
            samples.append((time.perf_counter() - started) * 1000)
        results[extension] = (statistics.median(samples), len(data))
    return results


async def main(uploads: int, files: int, words: int, runs: int) -> None:
    """Serve both services, upload, measure extraction, print."""
    infra = InfraSettings()
    # Built before timing: the load generator shares the machine with the services.
    batches = [
        [(f"elev-{n:02d}.docx", docx_bytes(essay(u * files + n, words))) for n in range(files)]
        for u in range(uploads + 1)
    ]
    warmup, measured = batches[0], batches[1:]
    mean_kb = statistics.mean(len(d) for batch in batches for _, d in batch) / 1024
    with tempfile.TemporaryDirectory(prefix="file-upload-bench-") as tmp:
        logs = Path(tmp)
        async with (
            scratch_schema(infra, "bench_content", ROOT / "services/content_service") as content,
            scratch_schema(infra, "bench_file", ROOT / "services/file_service") as file_db,
            BosStub(internal_api_key=KEY) as bos,
            service(
                "content_service.app",
                "CONTENT_SERVICE_",
                {"database_schema": content.name},
                logs,
            ) as content_url,
            service(
                "file_service.app",
                "FILE_SERVICE_",
                {
                    "database_schema": file_db.name,
                    "content_service_url": content_url,
                    "bos_url": bos.url,
                },
                logs,
            ) as file_url,
        ):
            await upload_batches(file_url, bos, [warmup])
            started = time.perf_counter()
            latencies, failures = await upload_batches(file_url, bos, measured)
            elapsed = time.perf_counter() - started
    extraction = extraction_times(words, runs)

    sent = files * len(measured)
    print(
        f"file upload benchmark ({len(measured)} uploads of {files} x {words}-word .docx, "
        f"~{mean_kb:.0f} KB each; services as hypercorn subprocesses, BOS stub in-process)"
    )
    print(
        f"  upload latency        : p50 {statistics.median(latencies) * 1000:7.0f} ms, "
        f"p95 {percentile(latencies, 95) * 1000:7.0f} ms, max {max(latencies) * 1000:7.0f} ms"
        f"   (target: {TARGET})"
    )
    print(
        f"  throughput            : {sent / elapsed:7.1f} files/s ({sent} files in {elapsed:.1f} s)"
    )
    if failures:
        print(
            f"  FAILED uploads        : {failures} of {len(measured)} (numbers above include them)"
        )
    print(f"  extraction (validate_file on a {words}-word essay, median of {runs} runs)")
    for extension, (median_ms, size) in extraction.items():
        print(f"    {extension:<5} {median_ms:8.2f} ms   ({size / 1024:6.1f} KB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--files", type=int, default=30)
    parser.add_argument("--words", type=int, default=500)
    parser.add_argument("--extraction-runs", type=int, default=50)
    # `make bench` passes its arguments to every benchmark: ignore the ones meant for others.
    args, _ = parser.parse_known_args()
    asyncio.run(main(args.uploads, args.files, args.words, args.extraction_runs))
