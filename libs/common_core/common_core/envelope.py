"""`EventEnvelope[T]`: the wrapper every event travels in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T", bound=BaseModel)


def utc_now() -> datetime:
    """Timezone-aware current time in UTC."""
    return datetime.now(UTC)


_PARAMETRISED: dict[tuple[type[Any], type[BaseModel]], type[Any]] = {}


def _parametrised(envelope: type[Any], payload: type[BaseModel]) -> type[Any]:
    """`envelope[payload]`, made once per pair."""
    found = _PARAMETRISED.get((envelope, payload))
    if found is None:
        found = _PARAMETRISED[(envelope, payload)] = envelope[payload]
    return found


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
        # Parametrise with the payload's own class so model_dump keeps every field; the
        # parametrised class is looked up once per payload class (a roster import wraps
        # a thousand events, and `cls[...]` costs ~2 µs each time).
        envelope_cls: type[EventEnvelope[T]] = _parametrised(cls, type(data))
        return envelope_cls(
            event_type=type(data).__name__,
            source_service=source_service,
            correlation_id=correlation_id,
            data=data,
            metadata=metadata or {},
        )
