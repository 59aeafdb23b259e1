"""Outage drill against the running stack: Kafka down during uploads, Redis down mid-pipeline.

Run with `make drill` after `make up`. It stops and starts the project's own Kafka and Redis
(scripts/infra/*.sh, by pid), so never run it against infrastructure you share. Teachers work
through the public gateway only. It prints, for each outage, the time from the dependency's
return until every process answers /healthz/ready and every outbox is empty, and for every
socket how many of its teacher's notifications it received, missed and received twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiokafka import AIOKafkaConsumer, TopicPartition

from common_core.events import TeacherNotificationRequestedV1
from common_core.topics import topic_for
from huleedu_service_libs.config import InfraSettings
from huleedu_testing.gateway_client import GatewayClient, Notifications
from huleedu_testing.kafka_helpers import end_offsets
from huleedu_testing.sample_files import essay_text, txt_bytes

ROOT = Path(__file__).resolve().parents[1]
NOTIFICATIONS = topic_for(TeacherNotificationRequestedV1)


def service_ports() -> list[int]:
    """Every process's HTTP port, from services/*/service.conf."""
    ports = []
    for conf in sorted(ROOT.glob("services/*/service.conf")):
        for line in conf.read_text().splitlines():
            if line.startswith(("HTTP_PORT=", "WORKER_PORT=")):
                ports.append(int(line.split("=", 1)[1]))
    return ports


async def all_ready(http: aiohttp.ClientSession, ports: list[int]) -> bool:
    """True when every process answers /healthz/ready with 200."""
    for port in ports:
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz/ready") as resp:
                if resp.status != 200:
                    return False
        except (aiohttp.ClientError, TimeoutError):
            return False
    return True


def pending_rows() -> int | None:
    """Rows waiting in every service's outbox (None when a database cannot be read)."""
    done = subprocess.run(  # noqa: S603 - our own admin command
        [str(ROOT / ".venv/bin/huleedu-admin"), "outbox", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return None
    return sum(r["pending"] or 0 for r in json.loads(done.stdout) if r["status"] == "ok")


def outboxes_empty() -> bool:
    """True when no service's outbox holds a pending row."""
    return pending_rows() == 0


def infra(component: str, action: str) -> None:
    """Stop or start one of the project's own servers."""
    script = str(ROOT / f"scripts/infra/{component}.sh")
    subprocess.run(["/bin/bash", script, action], check=True)  # noqa: S603 - our own script


async def outage_return(http: aiohttp.ClientSession, component: str) -> dict[str, float]:
    """Start the component again; seconds until it answers, every process is ready, and
    every outbox is empty, all counted from the moment it was started."""
    backlog = await asyncio.to_thread(pending_rows)
    started = time.monotonic()
    await asyncio.to_thread(infra, component, "up")
    marks = await recovery(http, started)
    return {"outbox_rows_waiting": float(backlog or 0), "answering": marks.pop("up"), **marks}


async def recovery(http: aiohttp.ClientSession, back_at: float) -> dict[str, float]:
    """Seconds from `back_at` until every process is ready, and until every outbox is empty."""
    ports, marks = service_ports(), {"up": time.monotonic() - back_at}
    while len(marks) < 3:
        now = time.monotonic()
        if "ready" not in marks and await all_ready(http, ports):
            marks["ready"] = now - back_at
        if "outboxes_empty" not in marks and await asyncio.to_thread(outboxes_empty):
            marks["outboxes_empty"] = now - back_at
        if now - back_at > 300:
            raise SystemExit(f"not recovered 300 s after the dependency returned: {marks}")
        await asyncio.sleep(0.25)
    return marks


@dataclass
class Teacher:
    """A teacher with several open sockets."""

    client: GatewayClient
    sockets: list[Notifications] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)


def drill_essay(seed: int, n: int) -> str:
    """One essay with a header naming its (made-up) student."""
    return f"Name: Drill Student {seed}-{n}\n\n" + essay_text("en", 250, seed=seed * 100 + n)


def essays(seed: int, count: int) -> list[tuple[str, bytes]]:
    """Distinct English essays, as a teacher's folder would hold them."""
    return [
        (
            f"drill-{seed}-{n}.txt",
            txt_bytes(drill_essay(seed, n), "utf-8"),
        )
        for n in range(count)
    ]


async def request_when_ready(teacher: Teacher, batch_id: str) -> None:
    """Request spellcheck once the orchestrator (not only the views) has the batch ready."""
    deadline = time.monotonic() + 120
    while True:
        status, body, _ = await teacher.client.call(
            "POST", f"/v1/batches/{batch_id}/pipelines", json={"pipeline": "spellcheck"}
        )
        if status == 202:
            return
        if status != 409 or time.monotonic() > deadline:
            raise SystemExit(f"pipeline request for {batch_id} answered {status}: {body}")
        await asyncio.sleep(0.5)


async def batch_status(teacher: Teacher, batch_id: str) -> str:
    return str((await teacher.client.batch(batch_id))["status"])


async def wait_status(teacher: Teacher, batch_id: str, statuses: set[str], limit: float) -> None:
    deadline = time.monotonic() + limit
    while await batch_status(teacher, batch_id) not in statuses:
        if time.monotonic() > deadline:
            raise SystemExit(f"batch {batch_id} never reached {statuses}")
        await asyncio.sleep(0.5)


async def published(start: dict[TopicPartition, int], users: set[str]) -> dict[str, set[str]]:
    """Event ids of the notifications published to each user since `start`."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=InfraSettings().kafka_bootstrap_servers, enable_auto_commit=False
    )
    await consumer.start()
    found: dict[str, set[str]] = {u: set() for u in users}
    try:
        consumer.assign(list(start))
        end = await consumer.end_offsets(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        while [tp for tp in start if await consumer.position(tp) < end[tp]]:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    data = json.loads(record.value)
                    if data["data"]["user_id"] in users:
                        found[data["data"]["user_id"]].add(str(data["event_id"]))
    finally:
        await consumer.stop()
    return found


async def run(args: argparse.Namespace) -> None:
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        if not await all_ready(http, service_ports()):
            raise SystemExit("the stack is not ready: run `make up` first")
        start = await end_offsets(InfraSettings().kafka_bootstrap_servers, [NOTIFICATIONS])
        teachers = [Teacher(GatewayClient(http)) for _ in range(args.teachers)]
        for teacher in teachers:
            await teacher.client.login()
            teacher.sockets = [await teacher.client.open_socket() for _ in range(args.sockets)]
        results: dict[str, Any] = {}

        # Kafka down while teachers upload: uploads need no broker, their events wait in outboxes.
        for teacher in teachers:
            registered = await teacher.client.register_batch("ENG6", args.essays)
            teacher.batches.append(registered["batch_id"])
        infra("kafka", "down")
        down_at = time.monotonic()
        for i, teacher in enumerate(teachers):
            await teacher.client.upload(teacher.batches[0], essays(i, args.essays))
        await asyncio.sleep(max(0.0, args.kafka_seconds - (time.monotonic() - down_at)))
        results["kafka"] = await outage_return(http, "kafka")
        for teacher in teachers:
            await wait_status(teacher, teacher.batches[0], {"ready_for_pipeline"}, 120)
            await request_when_ready(teacher, teacher.batches[0])
        for teacher in teachers:
            await wait_status(teacher, teacher.batches[0], {"completed"}, 180)

        # Redis down while pipelines run: notifications must reach every socket once anyway.
        for i, teacher in enumerate(teachers):
            batch_id = (await teacher.client.register_batch("ENG6", args.essays))["batch_id"]
            teacher.batches.append(batch_id)
            await teacher.client.upload(batch_id, essays(100 + i, args.essays))
        for teacher in teachers:
            await wait_status(teacher, teacher.batches[1], {"ready_for_pipeline"}, 120)
            await request_when_ready(teacher, teacher.batches[1])
        infra("redis", "down")
        await asyncio.sleep(args.redis_seconds)
        results["redis"] = await outage_return(http, "redis")
        for teacher in teachers:
            await wait_status(teacher, teacher.batches[1], {"completed"}, 180)
        await asyncio.sleep(5)  # the last notifications' way through the bridge

        expected = await published(start, {t.client.user_id for t in teachers})
        sockets = []
        for teacher in teachers:
            want = expected[teacher.client.user_id]
            for socket in teacher.sockets:
                got = Counter(str(n["event_id"]) for n in socket.received)
                sockets.append(
                    {
                        "published": len(want),
                        "received": len(set(got) & want),
                        "missed": len(want - set(got)),
                        "twice": sum(1 for c in got.values() if c > 1),
                    }
                )
                await socket.close()
        results["sockets"] = sockets
    print(json.dumps(results, indent=2))
    for name in ("kafka", "redis"):
        r = results[name]
        print(
            f"{name}: answering {r['answering']:.1f} s after its start; every process ready"
            f" {r['ready']:.1f} s and every outbox empty {r['outboxes_empty']:.1f} s after its"
            f" start ({r['outbox_rows_waiting']:.0f} outbox rows were waiting)"
        )
    perfect = sum(1 for s in sockets if s["missed"] == 0 and s["twice"] == 0)
    print(f"sockets with every notification exactly once: {perfect} of {len(sockets)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kafka-seconds", type=float, default=60.0)
    parser.add_argument("--redis-seconds", type=float, default=30.0)
    parser.add_argument("--teachers", type=int, default=3)
    parser.add_argument("--sockets", type=int, default=2)
    parser.add_argument("--essays", type=int, default=5)
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
