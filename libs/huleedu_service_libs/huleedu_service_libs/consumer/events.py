"""The base of every service's event factory: envelopes with source service and correlation id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from common_core.envelope import EventEnvelope

__all__ = ["EventFactory", "Outgoing"]

Outgoing = tuple[EventEnvelope[Any], str]
"""An event ready for the outbox: its envelope and its Kafka key."""


@dataclass(frozen=True)
class EventFactory:
    """Wraps payloads in envelopes naming this service and carrying the cause's correlation id.

    A service subclasses it with one method per event it emits, each returning `self.wrap(...)`.
    """

    source_service: str
    correlation_id: str

    def wrap(self, data: BaseModel, key: str) -> Outgoing:
        """One (envelope, key) pair for the outbox; the event id is fixed here, once."""
        envelope: EventEnvelope[Any] = EventEnvelope.wrap(
            data, source_service=self.source_service, correlation_id=self.correlation_id
        )
        return envelope, key
