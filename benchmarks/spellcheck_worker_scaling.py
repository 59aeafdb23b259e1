"""The Spell Checker's whole worker per SPELLCHECKER_SERVICE_WORKER_PROCESSES, on the real
Kafka and PostgreSQL with the Content Service in a process of its own.

For each process count: fresh schemas (in the library test database), a fresh consumer group
starting at the topic's end, the worker app served in this process; then idle CPU (this process
and its children) and RSS, then `--requests` spellcheck requests over 30 batch keys (20 %
Swedish) and the time until every result row is written. Needs the infrastructure, not the
stack. Run by hand (not in `make bench`):
    .venv/bin/python benchmarks/spellcheck_worker_scaling.py [--requests 300] [--processes 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from proc_cpu import TICKS, read_all_stats, tree, tree_ticks
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from common_core.enums import CourseCode, Language
from common_core.envelope import EventEnvelope
from common_core.events import EssaySpellcheckRequestedV1
from common_core.topics import topic_for
from huleedu_service_libs.config import Environment, InfraSettings
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_testing import random_id, random_suffix
from huleedu_testing.kafka_helpers import start_groups_at_end
from huleedu_testing.migrations import upgrade_to_head
from huleedu_testing.sample_files import essay_text
from huleedu_testing.servers import free_port_below_ephemeral, serve_in_background
from spellchecker_service.config import SpellcheckerSettings
from spellchecker_service.worker import create_worker_app

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "huleedu_libs_test"
KEY = "worker-scaling-internal-key"
BATCHES = 30
SETTLE_SECONDS = 20.0  # every process has loaded its dictionaries (spawn + load, on a busy machine)


@asynccontextmanager
async def schema(service: str) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A fresh schema migrated with the service's Alembic scripts, dropped afterwards."""
    url = InfraSettings().database_url(DATABASE)
    name = f"bench_{random_suffix()}"
    admin = create_async_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{name}"'))
    engine = create_async_engine(url, connect_args={"server_settings": {"search_path": name}})
    try:
        await upgrade_to_head(engine, ROOT / "services" / service)
        yield name, engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        await admin.dispose()


@asynccontextmanager
async def content_service() -> AsyncIterator[str]:
    """The Content Service as its own process (python -m content_service.app); its URL."""
    async with schema("content_service") as (name, _engine):
        port = free_port_below_ephemeral()
        env = {
            **os.environ,
            "CONTENT_SERVICE_DATABASE_NAME": DATABASE,
            "CONTENT_SERVICE_DATABASE_SCHEMA": name,
            "CONTENT_SERVICE_HTTP_PORT": str(port),
            "CONTENT_SERVICE_INTERNAL_API_KEY": KEY,
            "HULEEDU_LOG_FORMAT": "json",
        }
        process = subprocess.Popen(  # noqa: ASYNC220, S603 - our own interpreter and module
            [str(ROOT / ".venv/bin/python"), "-m", "content_service.app"],
            env=env,
            cwd=ROOT / "services" / "content_service",
            stdout=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            await _wait_ready(url)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


async def _wait_ready(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(240):
            try:
                async with http.get(f"{url}/healthz/ready") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.25)
    raise RuntimeError("the Content Service did not become ready")


async def store_texts(url: str) -> dict[str, list[str]]:
    """20 essays per language in the Content Service; their ids."""
    ids: dict[str, list[str]] = {"en": [], "sv": []}
    headers = {"X-Internal-API-Key": KEY, "Content-Type": "text/plain; charset=utf-8"}
    async with aiohttp.ClientSession() as http:
        for lang, stored in ids.items():
            for seed in range(20):
                body = essay_text(lang, 450, seed=seed).encode()
                async with http.post(
                    f"{url}/internal/v1/content", data=body, headers=headers
                ) as response:
                    stored.append(str((await response.json())["content_id"]))
    return ids


def requests(
    count: int, ids: dict[str, list[str]]
) -> list[EventEnvelope[EssaySpellcheckRequestedV1]]:
    """`count` requests over BATCHES batch keys, the first fifth of the batches Swedish."""
    batches = [random_id() for _ in range(BATCHES)]
    made = []
    for n in range(count):
        swedish = n % BATCHES < BATCHES // 5
        data = EssaySpellcheckRequestedV1(
            batch_id=batches[n % BATCHES],
            essay_id=random_id(),
            text_storage_id=ids["sv" if swedish else "en"][n % 20],
            language=Language.SWEDISH if swedish else Language.ENGLISH,
            course_code=CourseCode.SV2 if swedish else CourseCode.ENG6,
        )
        made.append(EventEnvelope.wrap(data, source_service="bench", correlation_id=random_id()))
    return made


def cpu_and_rss() -> tuple[float, float]:
    """CPU seconds and RSS (MB) of this process and its children (pool, Content Service)."""
    stats = read_all_stats()
    me = os.getpid()
    pages = sum(int(Path(f"/proc/{pid}/statm").read_text().split()[1]) for pid in tree(me, stats))
    return tree_ticks(me, stats) / TICKS, pages * os.sysconf("SC_PAGE_SIZE") / 2**20


async def measure(processes: int, count: int, url: str, ids: dict[str, list[str]]) -> None:
    """Idle cost, then essays/s of the worker with `processes` worker processes."""
    infra = InfraSettings()
    group = f"bench-{random_suffix()}"
    topic = topic_for(EssaySpellcheckRequestedV1)
    await start_groups_at_end(
        infra.kafka_bootstrap_servers, {f"{group}.spellcheck-requests": [topic]}
    )
    settings = SpellcheckerSettings(
        environment=Environment.TEST,
        internal_api_key=KEY,
        content_service_url=url,
        kafka_consumer_group=group,
        worker_processes=processes,
        outbox_poll_interval_seconds=0.5,
        log_level="WARNING",
    )
    producer = KafkaEventProducer(infra.kafka_bootstrap_servers, client_id="bench-scaling")
    await producer.start()
    async with schema("spellchecker_service") as (_name, engine):
        app, _runtime = create_worker_app(settings, engine)
        async with serve_in_background(app, settings):
            await asyncio.sleep(SETTLE_SECONDS)
            before, _ = cpu_and_rss()
            await asyncio.sleep(30)
            after, rss = cpu_and_rss()
            start = time.perf_counter()
            for envelope in requests(count, ids):
                await producer.publish(envelope, key=envelope.data.batch_id)
            await _wait_for_rows(engine, count)
            elapsed = time.perf_counter() - start
    await producer.stop()
    print(
        f"  {processes} process(es): {count / elapsed:6.1f} essays/s ({count} in {elapsed:.1f} s);"
        f" idle {(after - before) / 30 * 100:.2f} % of a core, RSS {rss:.0f} MB"
        " (this process and its children, Content Service included)",
        flush=True,
    )


async def _wait_for_rows(engine: AsyncEngine, count: int) -> None:
    while True:
        async with engine.connect() as conn:
            done = await conn.scalar(text("SELECT count(*) FROM spellcheck_results"))
        if (done or 0) >= count:
            return
        await asyncio.sleep(0.1)


async def main(count: int, counts: list[int]) -> None:
    """Every process count against one Content Service."""
    print(f"spell checker worker scaling ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f})")
    async with content_service() as url:
        ids = await store_texts(url)
        for processes in counts:
            await measure(processes, count, url, ids)


if __name__ == "__main__":  # the pool's spawned processes import this module again
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.processes))
