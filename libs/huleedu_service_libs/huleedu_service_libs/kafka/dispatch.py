"""Typed dispatch: decode a record into EventEnvelope[Model] in one step and call its handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from common_core.envelope import EventEnvelope, envelope_type
from common_core.topics import event_model_for
from huleedu_service_libs.kafka import headers as h
from huleedu_service_libs.kafka.consumer import Record
from huleedu_service_libs.kafka.retry_policy import PoisonMessageError

EnvelopeHandler = Callable[[EventEnvelope[Any]], Awaitable[None]]


def decode_envelope(record: Record, model: type[BaseModel]) -> EventEnvelope[Any]:
    """Decode a record's value as EventEnvelope[model]; undecodable records are poison."""
    try:
        return envelope_type(model).model_validate_json(record.value or b"")
    except ValidationError as exc:
        raise PoisonMessageError(f"cannot decode {model.__name__}: {exc}") from exc


class EventDispatcher:
    """Maps event types to handlers; use its `handle` as the consumer runner's handler."""

    def __init__(self) -> None:
        self._handlers: dict[str, tuple[type[BaseModel], EnvelopeHandler]] = {}

    def register(self, model: type[BaseModel], handler: EnvelopeHandler) -> None:
        """Route envelopes whose event_type is `model`'s name to `handler`."""
        self._handlers[model.__name__] = (model, handler)

    @property
    def event_types(self) -> list[str]:
        """Event types this dispatcher handles."""
        return list(self._handlers)

    async def handle(self, record: Record) -> None:
        """Decode by the event_type header and call the registered handler."""
        event_type = h.decode_headers(record.headers).get(h.EVENT_TYPE)
        if event_type is None:
            raise PoisonMessageError("record has no event_type header")
        route = self._handlers.get(event_type)
        if route is None:
            try:
                event_model_for(event_type)
            except KeyError:
                raise PoisonMessageError(f"unknown event type {event_type!r}") from None
            raise PoisonMessageError(f"no handler registered for {event_type!r}")
        model, handler = route
        envelope = decode_envelope(record, model)
        if envelope.event_type != event_type:
            raise PoisonMessageError(
                f"header event_type {event_type!r} disagrees with envelope {envelope.event_type!r}"
            )
        await handler(envelope)
