"""The compatibility rules: which model changes a topic of the same version refuses."""

from __future__ import annotations

import enum
from typing import Any, Literal
from uuid import UUID

import pytest
from pydantic import BaseModel, ConfigDict, Field

from common_core.events import ClassCreatedV1
from common_core.schema_compat import (
    ADDED_REQUIRED,
    NARROWED,
    NOW_REQUIRED,
    REMOVED,
    RENAMED_EVENT,
    BreakingChange,
    breaking_changes,
    message_schema,
    topic_breaking_changes,
)

pytestmark = pytest.mark.unit


def changes(old: type[BaseModel], new: type[BaseModel]) -> list[tuple[str, str]]:
    """(path, rule) of each breaking change from old's schema to new's."""
    found = breaking_changes(old.model_json_schema(), new.model_json_schema())
    return [(c.path, c.rule) for c in found]


class Base(BaseModel):
    batch_id: str
    note: str | None = None
    count: int = 0


class TestFields:
    def test_the_same_model_is_compatible(self) -> None:
        assert changes(Base, Base) == []

    def test_an_added_optional_field_passes(self) -> None:
        class New(Base):
            extra: str = ""

        assert changes(Base, New) == []

    def test_an_added_required_field_fails(self) -> None:
        class New(Base):
            extra: str

        assert changes(Base, New) == [("extra", ADDED_REQUIRED)]

    def test_a_removed_optional_field_fails(self) -> None:
        class New(BaseModel):
            batch_id: str
            count: int = 0

        assert changes(Base, New) == [("note", REMOVED)]

    def test_a_renamed_field_fails_and_names_the_likely_new_name(self) -> None:
        class New(BaseModel):
            batch_id: str
            comment: str | None = None
            count: int = 0

        found = breaking_changes(Base.model_json_schema(), New.model_json_schema())
        assert [(c.path, c.rule) for c in found] == [("note", REMOVED)]
        assert "renamed to comment?" in found[0].detail

    def test_an_optional_field_made_required_fails(self) -> None:
        class New(BaseModel):
            batch_id: str
            note: str | None
            count: int = 0

        assert changes(Base, New) == [("note", NOW_REQUIRED)]

    def test_a_required_field_made_optional_passes(self) -> None:
        class New(BaseModel):
            batch_id: str = ""
            note: str | None = None
            count: int = 0

        assert changes(Base, New) == []

    def test_refusing_unknown_fields_fails(self) -> None:
        class New(Base):
            model_config = ConfigDict(extra="forbid")

        assert changes(Base, New) == [("", NARROWED)]


class Colour(enum.StrEnum):
    RED = "red"
    GREEN = "green"


class FewerColours(enum.StrEnum):
    RED = "red"


class MoreColours(enum.StrEnum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


def one_field(annotation: Any, default: Any = ...) -> type[BaseModel]:
    """A model whose single field `value` has the given type (and default)."""
    return type(
        "One",
        (BaseModel,),
        {"__annotations__": {"value": annotation}, "value": default},
    )


class TestTypes:
    @pytest.mark.parametrize(
        ("old", "new"),
        [
            (int, bool),
            (float, int),
            (str, int),
            (str, Literal["a", "b"]),
            (str, Colour),
            (str, UUID),
            (Colour, FewerColours),
            (Literal["a", "b"], Literal["a"]),
            (int | str, int),
            (str | None, str),
            (list[str], list[int]),
            (dict[str, Any], dict[str, int]),
            (Any, str),
        ],
        ids=repr,
    )
    def test_narrowing_a_type_fails(self, old: Any, new: Any) -> None:
        [(path, rule)] = changes(one_field(old), one_field(new))
        # value, value[] (list items) or value.* (dict values)
        assert (path.removesuffix("[]").removesuffix(".*"), rule) == ("value", NARROWED)

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            (int, float),
            (str, str | None),
            (int, int | str),
            (Colour, MoreColours),
            (Literal["a"], Literal["a", "b"]),
            (Literal["a"], str),
            (Colour, str),
            (UUID, str),
            (list[int], list[int | str]),
            (str, Any),
        ],
        ids=repr,
    )
    def test_widening_a_type_passes(self, old: Any, new: Any) -> None:
        assert changes(one_field(old), one_field(new)) == []

    def test_the_lost_values_are_named(self) -> None:
        [change] = breaking_changes(
            one_field(Colour).model_json_schema(), one_field(FewerColours).model_json_schema()
        )
        assert "'green'" in change.detail


class TestConstraints:
    @pytest.mark.parametrize(
        ("old", "new"),
        [
            (Field(), Field(max_length=10)),
            (Field(max_length=20), Field(max_length=10)),
            (Field(min_length=1), Field(min_length=2)),
            (Field(), Field(pattern=r"^[a-z]+$")),
        ],
        ids=["max_length added", "max_length lowered", "min_length raised", "pattern added"],
    )
    def test_tighter_string_constraints_fail(self, old: Any, new: Any) -> None:
        assert changes(one_field(str, old), one_field(str, new)) == [("value", NARROWED)]

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            (Field(), Field(le=10)),
            (Field(le=20), Field(le=10)),
            (Field(ge=0), Field(ge=1)),
            (Field(ge=0), Field(gt=0)),
            (Field(le=1), Field(lt=1)),
        ],
        ids=["le added", "le lowered", "ge raised", "ge -> gt", "le -> lt"],
    )
    def test_tighter_bounds_fail(self, old: Any, new: Any) -> None:
        assert changes(one_field(int, old), one_field(int, new)) == [("value", NARROWED)]

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            (Field(max_length=10), Field(max_length=20)),
            (Field(max_length=10), Field()),
            (Field(gt=0), Field(ge=0)),
            (Field(ge=1), Field(gt=0)),
        ],
        ids=["max_length raised", "max_length dropped", "gt -> ge", "ge 1 -> gt 0"],
    )
    def test_looser_constraints_pass(self, old: Any, new: Any) -> None:
        annotation = str if "max_length" in repr(old) else int
        assert changes(one_field(annotation, old), one_field(annotation, new)) == []

    def test_the_detail_gives_old_and_new_bound(self) -> None:
        [change] = breaking_changes(
            one_field(str, Field(max_length=20)).model_json_schema(),
            one_field(str, Field(max_length=10)).model_json_schema(),
        )
        assert change.detail == "maxLength 10 (was maxLength 20)"


class Student(BaseModel):
    name: str
    email: str | None = None


class StudentWithoutEmail(BaseModel):
    name: str


class StudentNamedByInt(BaseModel):
    name: int
    email: str | None = None


class TestNestedModels:
    """Nested models travel as $defs and $refs; a change deep inside is found with its path."""

    def test_a_field_removed_from_a_nested_model_fails(self) -> None:
        assert changes(one_field(Student), one_field(StudentWithoutEmail)) == [
            ("value.email", REMOVED)
        ]

    def test_a_narrowed_field_in_a_list_of_models_fails(self) -> None:
        assert changes(one_field(list[Student]), one_field(list[StudentNamedByInt])) == [
            ("value[].name", NARROWED)
        ]

    def test_a_narrowed_field_in_a_dict_of_models_fails(self) -> None:
        old, new = one_field(dict[str, Student]), one_field(dict[str, StudentNamedByInt])
        assert changes(old, new) == [("value.*.name", NARROWED)]

    def test_an_optional_nested_model_made_required_fails(self) -> None:
        assert changes(one_field(Student | None, None), one_field(Student)) == [
            ("value", NARROWED),
            ("value", NOW_REQUIRED),
        ]

    def test_an_unchanged_nested_model_under_another_name_passes(self) -> None:
        class Pupil(BaseModel):
            name: str
            email: str | None = None

        assert changes(one_field(list[Student]), one_field(list[Pupil])) == []

    def test_recursive_models_terminate_and_are_compared(self) -> None:
        old: dict[str, Any] = {
            "$defs": {
                "Node": {
                    "type": "object",
                    "properties": {
                        "label": {"type": "string"},
                        "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                    },
                }
            },
            "$ref": "#/$defs/Node",
        }
        assert breaking_changes(old, old) == []
        new: dict[str, Any] = {
            "$defs": {"Node": {**old["$defs"]["Node"], "required": ["label"]}},
            "$ref": "#/$defs/Node",
        }
        assert [(c.path, c.rule) for c in breaking_changes(old, new)] == [("label", NOW_REQUIRED)]

    def test_tuple_positions_are_compared(self) -> None:
        old, new = one_field(tuple[str, int]), one_field(tuple[str, bool])
        assert changes(old, new) == [("value[1]", NARROWED)]


class TestMessageSchema:
    def test_the_schema_is_the_envelope_with_the_event_as_data(self) -> None:
        schema = message_schema(ClassCreatedV1)
        assert set(schema["properties"]) >= {"event_id", "event_type", "correlation_id", "data"}
        assert schema["properties"]["data"] == {"$ref": "#/$defs/ClassCreatedV1"}

    def test_an_event_field_change_is_reported_under_data(self) -> None:
        class Renamed(BaseModel):
            model_config = ConfigDict(title="ClassCreatedV1")
            class_name: str

        old = message_schema(ClassCreatedV1)
        found = breaking_changes(old, message_schema(Renamed))
        assert ("data.class_id", REMOVED) in [(c.path, c.rule) for c in found]

    def test_the_unchanged_model_passes_its_topic(self) -> None:
        assert topic_breaking_changes(message_schema(ClassCreatedV1), ClassCreatedV1) == []

    def test_a_renamed_event_model_fails_its_topic(self) -> None:
        # Same fields, new class name: the event_type header changes and consumers miss it.
        class ClassOpenedV1(ClassCreatedV1):
            pass

        found = topic_breaking_changes(message_schema(ClassCreatedV1), ClassOpenedV1)
        assert [(c.path, c.rule) for c in found] == [("event_type", RENAMED_EVENT)]

    def test_a_change_reads_as_one_line(self) -> None:
        change = BreakingChange("data.note", REMOVED, "field removed")
        assert str(change) == "data.note: removed: field removed"
        assert str(BreakingChange("", NARROWED, "x")) == "(root): narrowed: x"
