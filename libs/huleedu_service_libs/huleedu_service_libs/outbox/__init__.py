"""Transactional outbox: write events with the state change, relay them after commit."""

from huleedu_service_libs.outbox.config import RelayConfig
from huleedu_service_libs.outbox.metrics import OutboxStats, read_outbox_stats
from huleedu_service_libs.outbox.relay import BrokerUnavailableError, OutboxRelay
from huleedu_service_libs.outbox.writer import NOTIFY_CHANNEL, OutboxWriter, outbox_row

__all__ = [
    "NOTIFY_CHANNEL",
    "BrokerUnavailableError",
    "OutboxRelay",
    "OutboxStats",
    "OutboxWriter",
    "RelayConfig",
    "outbox_row",
    "read_outbox_stats",
]
