"""Typed dispatch: decode a record into EventEnvelope[Model] in one step and call its handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from common_core.envelope import EventEnvelope, envelope_type
from common_core.topics import event_model_for
from huleedu_service_libs.kafka import headers as h
from huleedu_service_libs.kafka.records import Record
from huleedu_service_libs.kafka.retry_policy import PoisonMessageError

EnvelopeHandler = Callable[[EventEnvelope[Any]], Awaitable[None]]
EnvelopesHandler = Callable[[Sequence[EventEnvelope[Any]]], Awaitable[None]]


def decode_envelope(record: Record, model: type[BaseModel]) -> EventEnvelope[Any]:
    """Decode a record's value as EventEnvelope[model]; undecodable records are poison."""
    try:
        return envelope_type(model).model_validate_json(record.value or b"")
    except ValidationError as exc:
        raise PoisonMessageError(f"cannot decode {model.__name__}: {exc}") from exc


class EventDispatcher:
    """Maps event types to handlers; use its `handle` as the consumer runner's handler.

    A type registered with a `many` handler may also be handled a run at a time: give the
    dispatcher to `KafkaConsumerRunner(runs=...)` and a poll's records of that type with
    the same Kafka key (the aggregate id) in one partition reach `many` together.
    """

    def __init__(self) -> None:
        self._handlers: dict[str, tuple[type[BaseModel], EnvelopeHandler]] = {}
        self._many: dict[str, EnvelopesHandler] = {}

    def register(
        self,
        model: type[BaseModel],
        handler: EnvelopeHandler,
        *,
        many: EnvelopesHandler | None = None,
    ) -> None:
        """Route envelopes whose event_type is `model`'s name to `handler` (runs to `many`)."""
        self._handlers[model.__name__] = (model, handler)
        if many is not None:
            self._many[model.__name__] = many

    @property
    def event_types(self) -> list[str]:
        """Event types this dispatcher handles."""
        return list(self._handlers)

    async def handle(self, record: Record) -> None:
        """Decode by the event_type header and call the registered handler."""
        model, handler = self._route(record)
        await handler(self._decode(record, model))

    def run_key(self, record: Record) -> Hashable | None:
        """(event type, key) for a record that may join a run; None for one handled alone."""
        event_type = h.decode_headers(record.headers).get(h.EVENT_TYPE)
        if event_type not in self._many or record.key is None:
            return None
        return (event_type, record.key)

    async def handle_run(self, records: Sequence[Record]) -> None:
        """Decode a run of records sharing a run key and hand them to their `many` handler.

        Any record that cannot be decoded fails the whole run (the consumer runner then
        handles the records one by one, so only that record ends in the DLQ).
        """
        model, _ = self._route(records[0])
        envelopes = [self._decode(record, model) for record in records]
        await self._many[envelopes[0].event_type](envelopes)

    def _route(self, record: Record) -> tuple[type[BaseModel], EnvelopeHandler]:
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
        return route

    @staticmethod
    def _decode(record: Record, model: type[BaseModel]) -> EventEnvelope[Any]:
        event_type = h.decode_headers(record.headers).get(h.EVENT_TYPE)
        envelope = decode_envelope(record, model)
        if envelope.event_type != event_type:
            raise PoisonMessageError(
                f"header event_type {event_type!r} disagrees with envelope {envelope.event_type!r}"
            )
        return envelope
