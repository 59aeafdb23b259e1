"""Outbox relay: claims committed rows, publishes them with their stored ids, deletes them.

Several relays may run against one database: rows are claimed with FOR UPDATE SKIP LOCKED and
stay locked until their publish outcome is committed, so each row is published by one relay.
A broker outage is not held against rows (they wait without using up attempts); a row that
fails on its own (too large, rejected) backs off and is parked after max_attempts so it never
blocks the rows behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    RequestTimedOutError,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from huleedu_service_libs.kafka.producer import KafkaEventProducer
from huleedu_service_libs.outbox.config import RelayConfig
from huleedu_service_libs.outbox.metrics import OutboxMetrics
from huleedu_service_libs.outbox.rows import claim_statement, record_outcomes
from huleedu_service_libs.outbox.writer import NOTIFY_CHANNEL

logger = structlog.get_logger(__name__)

_TRANSPORT_ERRORS = (
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    RequestTimedOutError,
)


@dataclass
class _Batch:
    """Rows claimed in one transaction and what became of handing them to the producer."""

    rows: Sequence[Row[Any]]
    pending: list[tuple[Row[Any], asyncio.Future[Any]]] = field(default_factory=list)
    failures: list[tuple[Row[Any], BaseException]] = field(default_factory=list)
    outage: BaseException | None = None


class BrokerUnavailableError(Exception):
    """Kafka could not be reached; the claimed rows were left untouched."""


class OutboxRelay:
    """Publishes one database's event_outbox to Kafka until stopped."""

    def __init__(
        self,
        engine: AsyncEngine,
        producer: KafkaEventProducer,
        *,
        service_name: str,
        config: RelayConfig | None = None,
    ) -> None:
        self._engine = engine
        self._producer = producer
        self._config = config or RelayConfig()
        self._metrics = OutboxMetrics(service_name)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._log = logger.bind(service=service_name)
        # Named so operators (and tests) can find the relay's LISTEN session in pg_stat_activity.
        self.listener_application_name = f"{service_name}-outbox-listener"[:63]

    def request_stop(self) -> None:
        """Ask run() to return after the batch in hand."""
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Publish until request_stop(): wake on NOTIFY, poll as a fallback, back off on outages."""
        config = self._config
        outage_delay = config.backoff_initial_seconds
        metrics_task = asyncio.create_task(self._export_metrics_forever())
        try:
            while not self._stopping.is_set():
                try:
                    await self._ensure_listening()
                    await self._ensure_producer()
                    published = await self.drain()
                except (BrokerUnavailableError, *_TRANSPORT_ERRORS) as exc:
                    self._log.warning("kafka unavailable; outbox rows wait", error=repr(exc))
                except Exception as exc:
                    # A database restart or dropped connection must not end the relay: rows
                    # stay committed, so back off and carry on.
                    self._log.error("outbox relay pass failed; retrying", error=repr(exc))
                else:
                    self._metrics.cycled()
                    outage_delay = config.backoff_initial_seconds
                    self._log.debug("outbox drained", published=published)
                    # drain() took everything due; a NOTIFY during it makes this return at once.
                    await self._sleep(config.poll_interval_seconds)
                    continue
                self._metrics.cycled()
                await self._sleep(outage_delay)
                outage_delay = min(outage_delay * 2, config.outage_backoff_cap_seconds)
        finally:
            metrics_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await metrics_task
            await self._close_listener()

    async def publish_batch(self) -> int:
        """Claim one batch of due rows, publish it and record the outcome; returns rows sent."""
        claimed = await self._claim()
        if claimed is None:
            return 0
        return await self._settle(*claimed)

    async def drain(self) -> int:
        """Publish every due row; the next batch is claimed while the previous one's acks fly.

        Batches are enqueued strictly one after another, so records with the same key keep
        their order in the producer; at most two transactions are open at once.
        """
        total = 0
        previous: asyncio.Task[int] | None = None
        try:
            while not self._stopping.is_set():
                claimed = await self._claim()
                if claimed is None:
                    break
                conn, batch = claimed
                current = asyncio.create_task(self._settle(conn, batch))
                # Hand `current` to the finally clause before awaiting the earlier batch, so a
                # failure there still settles (commits or rolls back, closes) this one.
                earlier, previous = previous, current
                if earlier is not None:
                    total += await earlier
                if len(batch.rows) < self._config.batch_size:
                    break
            if previous is not None:
                total, previous = total + await previous, None
        finally:
            if previous is not None:  # something failed first: still settle the batch in flight
                await asyncio.gather(previous, return_exceptions=True)
        return total

    async def _claim(self) -> tuple[AsyncConnection, _Batch] | None:
        """Open a transaction and claim a batch in it; None (connection closed) when none is due.

        The connection stays open with the batch: _settle() commits and closes it.
        """
        conn = await self._engine.connect()
        try:
            await conn.begin()
            batch = await self._claim_and_enqueue(conn)
        except BaseException:
            await conn.close()
            raise
        if batch is None:
            await conn.close()
            return None
        return conn, batch

    async def _claim_and_enqueue(self, conn: AsyncConnection) -> _Batch | None:
        """Lock due rows (skipping rows other relays hold) and hand them to the producer."""
        rows = (await conn.execute(claim_statement(self._config.batch_size))).all()
        if not rows:
            return None
        batch = _Batch(rows)
        for row in rows:
            try:
                future = await self._producer.enqueue(
                    row.topic, value=row.payload, key=row.event_key, headers=row.headers
                )
            except _TRANSPORT_ERRORS as exc:
                batch.outage = exc  # the broker is gone: stop enqueueing, the rest wait
                break
            except Exception as exc:
                batch.failures.append((row, exc))
                continue
            batch.pending.append((row, future))
        return batch

    async def _settle(self, conn: AsyncConnection, batch: _Batch) -> int:
        """Wait for the batch's acks, delete sent rows, charge failed ones, commit, close."""
        try:
            sent_ids, failures, outage = await self._await_acks(batch)
            await record_outcomes(
                conn,
                sent_ids,
                failures,
                config=self._config,
                metrics=self._metrics,
                log=self._log,
            )
            await conn.commit()
        finally:
            await conn.close()
        self._metrics.published.inc(len(sent_ids))
        if outage is not None:
            raise BrokerUnavailableError(repr(outage)) from outage
        return len(sent_ids)

    async def _await_acks(
        self, batch: _Batch
    ) -> tuple[list[int], list[tuple[Row[Any], BaseException]], BaseException | None]:
        """Sort the batch into sent rows, failed rows and a broker outage (if any)."""
        results = await asyncio.gather(*(f for _, f in batch.pending), return_exceptions=True)
        sent_ids: list[int] = []
        failures = list(batch.failures)
        outage = batch.outage
        timed_out: list[Row[Any]] = []
        for (row, _), result in zip(batch.pending, results, strict=True):
            if not isinstance(result, BaseException):
                sent_ids.append(row.id)
            elif isinstance(result, _TRANSPORT_ERRORS):
                outage = outage or result
                timed_out.append(row)
            else:
                failures.append((row, result))
        if outage is not None and not await self._broker_reachable():
            return sent_ids, failures, outage
        if outage is not None:
            # The broker answers, so the timeout was about these rows: count it against them.
            failures.extend((row, outage) for row in timed_out)
        return sent_ids, failures, None

    async def _broker_reachable(self) -> bool:
        try:
            await asyncio.wait_for(self._producer.check_connection(), timeout=5)
        except Exception:
            return False
        return True

    async def _ensure_producer(self) -> None:
        if not self._producer.started:
            await self._producer.start()

    async def _ensure_listening(self) -> None:
        """LISTEN on the outbox channel; on failure the relay still polls."""
        if self._listener is not None and not self._listener.is_closed():
            return
        dsn = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        conn = None
        try:
            conn = await asyncpg.connect(
                dsn, server_settings={"application_name": self.listener_application_name}
            )
            await conn.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            self._log.warning("outbox LISTEN unavailable; polling only", error=repr(exc))
            if conn is not None:
                conn.terminate()
            return
        self._listener = conn

    async def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            await listener.close()

    async def _sleep(self, seconds: float) -> None:
        """Wait for a NOTIFY, a stop request, or the timeout, whichever comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()

    async def _export_metrics_forever(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self._metrics.refresh(self._engine)
            await asyncio.sleep(self._config.metrics_interval_seconds)
