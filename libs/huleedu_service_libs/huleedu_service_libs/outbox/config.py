"""How an outbox relay batches, waits and gives up."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RelayConfig:
    """How a relay batches, waits and gives up."""

    batch_size: int = 1000
    poll_interval_seconds: float = 2.0
    max_attempts: int = 10
    backoff_initial_seconds: float = 0.5
    # The longest any retry waits: a failed row's, and a whole pass's during an outage.
    backoff_max_seconds: float = 300.0
    # An outage (Kafka or the database gone) charges no row, and a short cap finds the
    # recovered dependency quickly; the pass waits the smaller of this and backoff_max_seconds.
    outage_backoff_max_seconds: float = 10.0
    metrics_interval_seconds: float = 5.0

    @property
    def outage_backoff_cap_seconds(self) -> float:
        """The longest the relay waits between passes while Kafka or the database is away."""
        return min(self.outage_backoff_max_seconds, self.backoff_max_seconds)
