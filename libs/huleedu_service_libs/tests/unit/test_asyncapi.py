"""The AsyncAPI document says what the producer and consumer really put on the wire."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from common_core.envelope import EventEnvelope
from common_core.topics import EVENT_TOPICS, dlq_topic, key_field_for
from huleedu_service_libs.kafka import headers as h
from huleedu_service_libs.kafka.asyncapi import (
    DLQ_HEADERS_SCHEMA,
    HEADERS_SCHEMA,
    asyncapi_document,
)
from huleedu_testing.sample_events import sample_event

pytestmark = pytest.mark.unit

DOC = asyncapi_document()
MODELS = list(EVENT_TOPICS)


def resolve(ref: str) -> Any:
    """The part of the document a local $ref points at."""
    target: Any = DOC
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def message(model: type[BaseModel], *, dead: bool = False) -> dict[str, Any]:
    channel = DOC["channels"][dlq_topic(EVENT_TOPICS[model]) if dead else EVENT_TOPICS[model]]
    [ref] = channel["messages"].values()
    found: dict[str, Any] = resolve(ref["$ref"])
    return found


def refs_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in refs_in(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs_in(value)]
    return []


def test_it_is_asyncapi_3_with_json_messages() -> None:
    assert DOC["asyncapi"] == "3.0.0"
    assert DOC["defaultContentType"] == "application/json"


def test_every_topic_and_its_dead_letter_topic_is_a_channel_named_after_it() -> None:
    expected = {name for topic in EVENT_TOPICS.values() for name in (topic, dlq_topic(topic))}
    assert set(DOC["channels"]) == expected
    assert all(channel["address"] == name for name, channel in DOC["channels"].items())


def test_every_reference_resolves() -> None:
    refs = refs_in(DOC)
    assert refs
    for ref in refs:
        assert resolve(ref) is not None, ref


def test_the_document_is_plain_json_data() -> None:
    assert json.loads(json.dumps(DOC)) == DOC


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_payload_is_the_envelope_around_the_event(model: type[BaseModel]) -> None:
    payload = resolve(message(model)["payload"]["$ref"])
    assert set(payload["properties"]) == set(EventEnvelope.model_fields)
    assert resolve(payload["properties"]["data"]["$ref"])["title"] == model.__name__
    assert payload["required"] == [
        name for name, field in EventEnvelope.model_fields.items() if field.is_required()
    ]
    assert message(model, dead=True)["payload"] == message(model)["payload"]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_headers_are_the_ones_the_producer_sets(model: type[BaseModel]) -> None:
    envelope = EventEnvelope.wrap(sample_event(model), source_service="t", correlation_id="c")
    headers = resolve(message(model)["headers"]["$ref"])
    assert message(model)["headers"]["$ref"].endswith(HEADERS_SCHEMA)
    assert list(headers["properties"]) == list(h.envelope_headers(envelope))
    assert headers["required"] == list(h.envelope_headers(envelope))


def test_dead_letters_carry_every_dlq_header_the_consumer_sets() -> None:
    dlq_names = [
        value for name, value in vars(h).items() if name.startswith("DLQ_") and name != "DLQ_PREFIX"
    ]
    headers = resolve(message(MODELS[0], dead=True)["headers"]["$ref"])
    assert message(MODELS[0], dead=True)["headers"]["$ref"].endswith(DLQ_HEADERS_SCHEMA)
    assert set(headers["properties"]) == {h.EVENT_ID, h.EVENT_TYPE, h.CORRELATION_ID, *dlq_names}
    assert all(name.startswith(h.DLQ_PREFIX) for name in dlq_names)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_key_is_the_registry_key_field(model: type[BaseModel]) -> None:
    for dead in (False, True):
        key = message(model, dead=dead)["bindings"]["kafka"]["key"]
        assert key["type"] == "string"
        assert f"`data.{key_field_for(model)}`" in key["description"]


def test_message_names_are_unique() -> None:
    names = [m["name"] for m in DOC["components"]["messages"].values()]
    assert len(names) == len(set(names)) == 2 * len(MODELS)
    assert names == list(DOC["components"]["messages"])
