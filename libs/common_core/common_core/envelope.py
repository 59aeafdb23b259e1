"""`EventEnvelope[T]`: the wrapper every event travels in."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T", bound=BaseModel)


def utc_now() -> datetime:
    """Timezone-aware current time in UTC."""
    return datetime.now(UTC)


class EventEnvelope(BaseModel, Generic[T]):
    """An event plus the facts every consumer needs; event_id is fixed at creation for good."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID = Field(default_factory=uuid4)
    event_type: str
    event_timestamp: datetime = Field(default_factory=utc_now)
    source_service: str
    schema_version: int = 1
    correlation_id: str
    data: T
    metadata: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def wrap(
        cls,
        data: T,
        *,
        source_service: str,
        correlation_id: str,
        metadata: dict[str, Any] | None = None,
    ) -> EventEnvelope[T]:
        """Envelope for `data`, its event_type taken from the event model's name."""
        # Parametrise with the payload's own class so model_dump keeps every field.
        envelope_cls: type[EventEnvelope[T]] = envelope_type(type(data))
        return envelope_cls(
            event_type=type(data).__name__,
            source_service=source_service,
            correlation_id=correlation_id,
            data=data,
            metadata=metadata or {},
        )


@cache
def envelope_type(model: type[T]) -> type[EventEnvelope[T]]:
    """`EventEnvelope[model]`, built once per model and kept for the process.

    pydantic caches parametrised generics only weakly: once no envelope of a type is alive and
    the collector ran, the next `EventEnvelope[model]` builds the class again (~2 ms of CPU),
    which happened for nearly every event a worker wrapped or decoded.
    """
    return EventEnvelope[model]  # type: ignore[valid-type]
