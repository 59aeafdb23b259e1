"""How a partition's records are grouped into runs: per run key, never across a key's order."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import pytest

from huleedu_service_libs.kafka.records import Record, group_runs

pytestmark = pytest.mark.unit


@dataclass
class R:
    """A record of `kind` (None: not runnable) for Kafka key `key`."""

    offset: int
    key: bytes | None
    kind: str | None = "provisioned"
    topic: str = "t"
    partition: int = 0
    timestamp: int = 0
    value: bytes | None = b""
    headers: tuple[tuple[str, bytes], ...] = ()


def run_key(record: Record) -> Hashable | None:
    kind = record.kind  # type: ignore[attr-defined]
    return None if kind is None or record.key is None else (kind, record.key)


def offsets(records: list[R]) -> list[list[int]]:
    return [[r.offset for r in run] for run in group_runs(records, run_key)]


def test_records_of_one_key_join_across_other_keys() -> None:
    records = [R(0, b"a"), R(1, b"b"), R(2, b"a"), R(3, b"b"), R(4, b"a")]
    assert offsets(records) == [[0, 2, 4], [1, 3]]


def test_another_kind_of_the_same_key_between_splits_the_run() -> None:
    records = [R(0, b"a"), R(1, b"a", kind="removed"), R(2, b"a"), R(3, b"a")]
    assert offsets(records) == [[0], [1], [2, 3]]


def test_a_record_without_a_run_key_stands_alone_and_blocks_its_key() -> None:
    records = [R(0, b"a"), R(1, b"a", kind=None), R(2, b"a"), R(3, b"b"), R(4, b"b")]
    assert offsets(records) == [[0], [1], [2], [3, 4]]


def test_a_record_without_a_kafka_key_closes_every_open_run() -> None:
    records = [R(0, b"a"), R(1, None), R(2, b"a"), R(3, b"a")]
    assert offsets(records) == [[0], [1], [2, 3]]


def test_each_keys_records_keep_their_order_in_the_runs() -> None:
    kinds = ["p", "p", "x", "p", "p", "x", "p"]
    keys = [b"a", b"b", b"a", b"a", b"b", b"b", b"a"]
    records = [R(i, k, kind=kind) for i, (k, kind) in enumerate(zip(keys, kinds, strict=True))]
    handled = [r for run in group_runs(records, run_key) for r in run]
    for key in (b"a", b"b"):
        mine = [r.offset for r in handled if r.key == key]
        assert mine == sorted(mine)
