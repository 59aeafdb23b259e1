"""Building blocks shared by the event models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class EventModel(BaseModel):
    """Base of every event payload: immutable; fields it does not know are ignored.

    Tolerant reading lets a producer add an optional field to a V1 event without older
    consumers dead-lettering it; removing or retyping a field needs a V2 topic.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")


class EssayRef(EventModel):
    """An essay slot and the stored text it holds."""

    essay_id: str
    text_storage_id: str
    original_file_name: str = ""
    file_upload_id: str = ""


class EntityRef(EventModel):
    """A pointer to an aggregate other services can look up."""

    entity_type: str
    entity_id: str
    parent_id: str | None = None


__all__ = ["EntityRef", "EssayRef", "EventModel"]
