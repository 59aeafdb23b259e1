"""Locust users for the gateway benchmark: each is one teacher reading status and batch lists.

Run by benchmarks/gateway_api_bench.py (which prepares the teachers and their batches in
HULEEDU_BENCH_TEACHERS, a JSON file) in its own process, so the load generator never shares
an event loop with what it measures.

Users are not in lockstep: each starts after a random share of one refresh period and then
keeps a steady pace (constant_pacing: one request per period, however long the last one
took), so 200 users offer ~200 requests/s spread over each second, as dashboards opened at
different moments do. The benchmark also resets the stats once all users are spawned.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time

from locust import constant_pacing, task
from locust.contrib.fasthttp import FastHttpUser

with open(os.environ["HULEEDU_BENCH_TEACHERS"], encoding="utf-8") as handle:
    TEACHERS: list[dict[str, object]] = json.load(handle)
_next = itertools.count()
_lock = threading.Lock()
WAIT_SECONDS = float(os.environ.get("HULEEDU_BENCH_WAIT_SECONDS", "1.0"))


class Teacher(FastHttpUser):
    """One teacher polling their batches, about once a second (a dashboard's refresh rate)."""

    wait_time = constant_pacing(WAIT_SECONDS)

    def on_start(self) -> None:
        """Take the next prepared teacher: every locust user is a different one."""
        with _lock:
            me = TEACHERS[next(_next) % len(TEACHERS)]
        self.headers = {"Authorization": f"Bearer {me['token']}"}
        self.batch_ids = [str(b) for b in me["batch_ids"]]  # type: ignore[attr-defined]
        # A random phase within one period (locust has patched time.sleep to yield to gevent).
        time.sleep(random.uniform(0, WAIT_SECONDS))

    @task(3)
    def batch_status(self) -> None:
        """GET one of my batches."""
        batch_id = random.choice(self.batch_ids)
        self.client.get(f"/v1/batches/{batch_id}", headers=self.headers, name="/v1/batches/{id}")

    @task(1)
    def batch_list(self) -> None:
        """GET my newest batches."""
        self.client.get("/v1/batches?limit=20", headers=self.headers, name="/v1/batches")
