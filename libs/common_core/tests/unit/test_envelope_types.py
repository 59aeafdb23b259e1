"""EventEnvelope[Model] is built once per model: wrapping and decoding reuse it."""

from __future__ import annotations

import gc
import weakref

from pydantic import BaseModel

from common_core.envelope import EventEnvelope, envelope_type


class OnlyHereV1(BaseModel):
    """A payload no other test wraps, so nothing else keeps its envelope class alive."""

    note: str


def test_the_envelope_class_outlives_its_envelopes() -> None:
    envelope = EventEnvelope.wrap(OnlyHereV1(note="a"), source_service="s", correlation_id="c")
    built = weakref.ref(type(envelope))
    del envelope
    gc.collect()  # pydantic's own cache holds parametrised classes only weakly
    assert built() is not None
    again = EventEnvelope.wrap(OnlyHereV1(note="b"), source_service="s", correlation_id="c")
    assert type(again) is built()


def test_decoding_uses_the_same_class_and_keeps_every_field() -> None:
    envelope = EventEnvelope.wrap(OnlyHereV1(note="ä"), source_service="s", correlation_id="c")
    decoded = envelope_type(OnlyHereV1).model_validate_json(envelope.model_dump_json())
    assert type(decoded) is type(envelope)
    assert decoded == envelope
    assert decoded.data.note == "ä"
