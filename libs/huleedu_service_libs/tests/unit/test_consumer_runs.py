"""Runs in the consumer runner: consecutive records of one kind and key handled together."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest
from prometheus_client import REGISTRY

from huleedu_service_libs.consumer import EventItem, Outgoing, StepRunner
from huleedu_service_libs.kafka import (
    EventDispatcher,
    KafkaConsumerRunner,
    PoisonMessageError,
    TransientError,
)
from huleedu_testing.random_refs import random_name

from .consumer_fakes import Context, FakeStore, FakeUnitOfWork, Happened, SampleEvents
from .kafka_fakes import TOPIC, FakeDlqProducer, FakeKafkaConsumer, FakeRecord, record

pytestmark = pytest.mark.unit

SERVICE = "consumer_runs_test"
HANG_GUARD_SECONDS = 10  # a guard against a hang, not a measurement


class Steps:
    """One-event and many-event steps that record how they were called; 'bad' is poison."""

    def __init__(self) -> None:
        self.store = FakeStore()
        self.dlq = FakeDlqProducer()
        self.group = random_name("group")
        self.runs: list[list[str]] = []
        self.singles: list[str] = []
        self.stop: Callable[[], None] = lambda: None

    async def one(self, uow: FakeUnitOfWork, event: Happened, ctx: Context) -> list[Outgoing]:
        self.singles.append(event.batch_id)
        if event.batch_id == "away":
            self.stop()  # the service stops while the database is away
            raise TransientError("database restarting")
        if event.batch_id.startswith("bad"):
            raise PoisonMessageError("a rule this event can never satisfy")
        uow.rows.append(event.batch_id)
        return []

    async def many(
        self, uow: FakeUnitOfWork, items: Sequence[EventItem[Happened, SampleEvents]]
    ) -> list[Outgoing]:
        self.runs.append([i.event.batch_id for i in items])
        for item in items:
            if item.event.batch_id.startswith("bad"):
                raise PoisonMessageError("a rule this event can never satisfy")
            uow.rows.append(item.event.batch_id)
        return []


def runner_for(steps: Steps) -> KafkaConsumerRunner:
    handling: StepRunner[FakeUnitOfWork, SampleEvents] = StepRunner(
        lambda: FakeUnitOfWork(steps.store),
        consumer="svc",
        source_service="svc",
        events=SampleEvents,
    )
    dispatcher = EventDispatcher()
    dispatcher.register(
        Happened, handling.handler(steps.one), many=handling.many_handler(steps.many)
    )
    runner = KafkaConsumerRunner(
        bootstrap_servers="127.0.0.1:9",
        group_id=steps.group,
        topics=[TOPIC],
        handler=dispatcher.handle,
        dlq_producer=steps.dlq,  # type: ignore[arg-type]
        max_attempts=2,
        retry_initial_seconds=0.001,
        retry_max_seconds=0.001,
        service=SERVICE,
        runs=dispatcher,
    )
    return runner


def keyed(offset: int, key: str, batch_id: str | None = None) -> FakeRecord:
    """A record keyed `key` whose event names `batch_id` (the key unless told)."""
    r = record(offset, 0, batch_id or key)
    r.key = key.encode()
    return r


async def consume(steps: Steps, records: list[FakeRecord]) -> FakeKafkaConsumer:
    """Run the consumer over one poll of `records` until it polls again and finds nothing."""
    runner = runner_for(steps)
    kafka = FakeKafkaConsumer(records, when_idle=runner.request_stop)
    steps.stop = runner.request_stop
    runner._consumer = kafka  # type: ignore[assignment]
    await asyncio.wait_for(runner.run(), HANG_GUARD_SECONDS)
    return kafka


@pytest.fixture
def steps() -> Steps:
    return Steps()


def count(group: str, outcome: str) -> float:
    labels = {"service": SERVICE, "group": group, "topic": TOPIC, "outcome": outcome}
    return REGISTRY.get_sample_value("huleedu_kafka_messages_total", labels) or 0.0


async def test_a_keys_records_form_one_run_even_with_other_keys_between(steps: Steps) -> None:
    records = [keyed(0, "a"), keyed(1, "a"), keyed(2, "b"), keyed(3, "a"), keyed(4, "b")]
    kafka = await consume(steps, records)
    assert steps.runs == [["a", "a", "a"], ["b", "b"]]
    assert steps.singles == []
    assert kafka.committed() == {0: 5}
    assert count(steps.group, "handled") == 5


async def test_a_lone_record_of_a_key_is_handled_the_one_event_way(steps: Steps) -> None:
    kafka = await consume(steps, [keyed(0, "a"), keyed(1, "b"), keyed(2, "a")])
    assert steps.runs == [["a", "a"]]
    assert steps.singles == ["b"]
    assert kafka.committed() == {0: 3}


async def test_a_poison_event_in_a_run_goes_to_the_dlq_alone_and_the_rest_are_handled(
    steps: Steps,
) -> None:
    records = [keyed(0, "a", "a0"), keyed(1, "a", "bad"), keyed(2, "a", "a2")]
    kafka = await consume(steps, records)
    assert steps.runs == [["a0", "bad", "a2"]]  # the run failed as a whole ...
    assert steps.store.rows == ["a0", "a2"]  # ... and record by record only 'bad' failed
    assert len(steps.dlq.sent) == 1
    assert kafka.committed() == {0: 3}
    assert count(steps.group, "dead_lettered") == 1
    assert count(steps.group, "handled") == 2


async def test_an_undecodable_record_breaks_only_its_run(steps: Steps) -> None:
    broken = keyed(1, "a")
    broken.value = b"not json"
    records = [keyed(0, "a", "a0"), broken, keyed(2, "a", "a2")]
    kafka = await consume(steps, records)
    assert steps.runs == []
    assert steps.store.rows == ["a0", "a2"]
    assert len(steps.dlq.sent) == 1
    assert kafka.committed() == {0: 3}


async def test_a_stop_commits_only_up_to_the_first_record_not_handled(steps: Steps) -> None:
    # The run of "a" (offsets 0 and 2) is handled first; "away" (1) then meets an outage.
    records = [keyed(0, "a"), keyed(1, "away"), keyed(2, "a")]
    kafka = await consume(steps, records)
    assert steps.runs == [["a", "a"]]
    assert steps.store.rows == ["a", "a"]
    # Offset 2 is handled but lies beyond the gap: it is read again, and the inbox skips it.
    assert kafka.committed() == {0: 1}
