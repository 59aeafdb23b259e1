"""The AsyncAPI 3.0 document of every registry topic and its dead-letter topic.

Built from the topic registry, the event models and the header names this package's producer
and consumer set, so the document says what really goes on the wire: value = the event's
`EventEnvelope` as JSON, key = the aggregate id, headers = the envelope's identity (plus the
`dlq.*` headers on a dead-letter topic). `scripts/contracts.py` writes it as YAML.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from common_core.envelope import EventEnvelope
from common_core.topics import EVENT_TOPICS, dlq_topic, key_field_for
from huleedu_service_libs.kafka import headers as h

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
SCHEMA_REF = "#/components/schemas/{model}"
HEADERS_SCHEMA = "KafkaHeaders"
DLQ_HEADERS_SCHEMA = "KafkaDeadLetterHeaders"

# Descriptions of the headers `envelope_headers` sets on every published event.
IDENTITY_HEADERS: dict[str, dict[str, str]] = {
    h.EVENT_ID: {
        "format": "uuid",
        "description": "The envelope's event_id: fixed when the event is created; retries, "
        "relays and DLQ replays keep it, so consumers' inboxes drop repeats.",
    },
    h.EVENT_TYPE: {
        "description": "The envelope's event_type: the event model's class name, which is the "
        "message's name; consumers pick the model to decode with from it.",
    },
    h.CORRELATION_ID: {
        "description": "The envelope's correlation_id: the request that caused the event, "
        "carried into every log line and call it leads to.",
    },
}

# Descriptions of the headers the consumer adds when it dead-letters a message.
DLQ_HEADERS: dict[str, dict[str, str]] = {
    h.DLQ_ERROR: {"description": "The last error's message (at most 2000 characters)."},
    h.DLQ_ERROR_TYPE: {"description": "The last error's exception class name."},
    h.DLQ_ORIGINAL_TOPIC: {"description": "The topic the message was read from."},
    h.DLQ_ORIGINAL_PARTITION: {"pattern": "^[0-9]+$", "description": "Its partition there."},
    h.DLQ_ORIGINAL_OFFSET: {"pattern": "^[0-9]+$", "description": "Its offset there."},
    h.DLQ_CONSUMER_GROUP: {"description": "The consumer group that gave up on it."},
    h.DLQ_ATTEMPTS: {"pattern": "^[0-9]+$", "description": "How often it was tried."},
    h.DLQ_FAILED_AT: {"format": "date-time", "description": "When it was dead-lettered (UTC)."},
}

_DESCRIPTION = """\
Every HuleEdu topic (one channel each) and its dead-letter topic `<topic>.dlq`.

- **Value**: the event's `EventEnvelope` as UTF-8 JSON; `data` holds the event. Consumers ignore
  fields they do not know, so a producer may add an optional field within a topic version;
  anything that could refuse an older message needs a new topic version (`.v2`).
- **Key**: the id of the aggregate the event belongs to (named in each message's Kafka
  binding), so that aggregate's events share a partition and stay in order.
- **Headers**: UTF-8 strings repeating the envelope's identity. Dead-lettered messages keep
  value, key and headers and add `dlq.*` headers; a replay strips those again.

Generated from the topic registry (`make contracts`); see documentation/events.md."""


def _summary(model: type[BaseModel]) -> str:
    return (model.__doc__ or model.__name__).strip().splitlines()[0]


def _headers_schema(described: dict[str, dict[str, str]]) -> dict[str, Any]:
    properties = {name: {"type": "string", **facts} for name, facts in described.items()}
    return {"type": "object", "properties": properties, "required": list(described)}


def _message(model: type[BaseModel], payload_ref: str, *, dead: bool) -> dict[str, Any]:
    field = key_field_for(model)
    key = f"The event's `data.{field}` as UTF-8: the aggregate its events are ordered by."
    message: dict[str, Any] = {
        "name": _message_id(model, dead=dead),
        "title": f"{model.__name__} (dead-lettered)" if dead else model.__name__,
        "summary": _summary(model),
        "contentType": "application/json",
        "headers": {
            "$ref": SCHEMA_REF.format(model=DLQ_HEADERS_SCHEMA if dead else HEADERS_SCHEMA)
        },
        "payload": {"$ref": payload_ref},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": key},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }
    if dead:
        message["description"] = (
            "The original record, dead-lettered by a consumer that could not decode or process "
            "it: value and key unchanged (so the value may be the very bytes that failed to "
            "decode), the original headers plus `dlq.*`. `huleedu-admin dlq list|replay` "
            "inspects and replays it."
        )
    return message


def _message_id(model: type[BaseModel], *, dead: bool) -> str:
    return f"{model.__name__}.dlq" if dead else model.__name__


def _channel(address: str, message_id: str, description: str) -> dict[str, Any]:
    return {
        "address": address,
        "description": description,
        "messages": {message_id: {"$ref": f"#/components/messages/{message_id}"}},
    }


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document: a channel per registry topic and per dead-letter topic."""
    envelopes: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (EventEnvelope[model], "validation")  # type: ignore[valid-type]
        for model in EVENT_TOPICS
    ]
    # One schema set for all topics: shared models (enums, EssayRef...) appear once.
    refs, schemas = models_json_schema(envelopes, ref_template=SCHEMA_REF)
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for (envelope, mode), (model, topic) in zip(envelopes, EVENT_TOPICS.items(), strict=True):
        payload_ref = refs[(envelope, mode)]["$ref"]
        live, dead = _message_id(model, dead=False), _message_id(model, dead=True)
        messages[live] = _message(model, payload_ref, dead=False)
        messages[dead] = _message(model, payload_ref, dead=True)
        channels[topic] = _channel(topic, live, _summary(model))
        channels[dlq_topic(topic)] = _channel(dlq_topic(topic), dead, f"Dead letters of {topic}.")
    components = dict(schemas.get("$defs", {}))
    if HEADERS_SCHEMA in components or DLQ_HEADERS_SCHEMA in components:
        raise ValueError(f"an event model is named {HEADERS_SCHEMA} or {DLQ_HEADERS_SCHEMA}")
    components[HEADERS_SCHEMA] = _headers_schema(IDENTITY_HEADERS)
    components[DLQ_HEADERS_SCHEMA] = _headers_schema({**IDENTITY_HEADERS, **DLQ_HEADERS})
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "HuleEdu events",
            "version": version("huleedu-common-core"),
            "description": _DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"messages": messages, "schemas": components},
    }
