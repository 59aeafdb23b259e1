"""Backward compatibility of event schemas: what a changed model must not do to a live topic.

A topic's messages outlive the code that wrote them (retention, DLQ replays) and reach consumers
deployed before or after the producer. So, within one topic version, a new schema must accept
every message the old one accepted and keep every field the old one had: no field removed or
renamed, none made required, no type, union, enum or constraint narrowed. Widening (a new
optional field, a new union member or enum value, a looser bound) is allowed. A new or changed
`pattern`, `format` or `multipleOf` counts as narrowing: whether it still accepts every old
value is not decidable here. The keywords covered are those pydantic emits (no allOf/not/if).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from common_core.envelope import EventEnvelope

Schema = Mapping[str, Any]

REMOVED = "removed"
NOW_REQUIRED = "now required"
ADDED_REQUIRED = "added required"
NARROWED = "narrowed"
RENAMED_EVENT = "event renamed"

# (keyword, its exclusive twin): a bigger lower bound or a smaller upper bound narrows.
_LOWER_BOUNDS = (("minimum", "exclusiveMinimum"), ("minLength", None), ("minItems", None))
_UPPER_BOUNDS = (("maximum", "exclusiveMaximum"), ("maxLength", None), ("maxItems", None))
_TYPE_KEYS = ("type", "enum", "const", "properties", "items", "prefixItems", "additionalProperties")


@dataclass(frozen=True)
class BreakingChange:
    """One way the new schema refuses what the old one allowed; path like `data.items[].name`."""

    path: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path or '(root)'}: {self.rule}: {self.detail}"


def message_schema(model: type[BaseModel]) -> dict[str, Any]:
    """JSON Schema of a topic's message value as consumers validate it: EventEnvelope[model]."""
    envelope: type[BaseModel] = EventEnvelope[model]  # type: ignore[valid-type]
    return envelope.model_json_schema(mode="validation")


def topic_breaking_changes(committed: Schema, model: type[BaseModel]) -> list[BreakingChange]:
    """What `model` breaks of its topic's committed message schema, its event name included."""
    current = message_schema(model)
    changes = []
    # The title names the event model, whose name is the event_type consumers decode by.
    if committed.get("title") != current.get("title"):
        detail = f"{committed.get('title')} -> {current.get('title')} (event_type changes)"
        changes.append(BreakingChange("event_type", RENAMED_EVENT, detail))
    return changes + breaking_changes(committed, current)


def breaking_changes(old: Schema, new: Schema) -> list[BreakingChange]:
    """Every change from `old` to `new` that a topic of the same version must not carry."""
    return _Comparison(old, new).compare(old, new, "")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _json_type(value: Any) -> str:
    # bool before int: True is an int in Python but a boolean in JSON.
    for kind, types in (("boolean", bool), ("integer", int), ("number", float), ("string", str)):
        if isinstance(value, types):
            return kind
    return {type(None): "null", list: "array", dict: "object"}.get(type(value), "unknown")


def _values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    return list(schema["enum"]) if "enum" in schema else None


def _type(schema: Schema) -> str | None:
    if "type" in schema:
        return str(schema["type"])
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    return "array" if "items" in schema or "prefixItems" in schema else None


def _is_any(schema: Schema) -> bool:
    return not any(key in schema for key in _TYPE_KEYS)


def _type_fits(old_type: str | None, new_type: str | None) -> bool:
    # Every integer is a number; a schema without a type accepts any.
    return new_type is None or old_type == new_type or (old_type, new_type) == ("integer", "number")


def _accepts_value(schema: Schema, value: Any) -> bool:
    values = _values(schema)
    if values is not None:
        return value in values
    return _is_any(schema) or _type_fits(_json_type(value), _type(schema))


def _describe(schema: Schema) -> str:
    values = _values(schema)
    if values is not None:
        return f"one of {values!r}" if len(values) > 1 else repr(values[0])
    if _is_any(schema):
        return "any value"
    kind = _type(schema) or "value"
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _bound_narrowed(old: Schema, new: Schema, key: str, twin: str | None, lower: bool) -> bool:
    """True when `new` bounds `key` (or its exclusive twin) tighter than `old` does."""

    def bound(schema: Schema) -> tuple[float, bool] | None:
        found = [(float(schema[key]), False)] if key in schema else []
        if twin and twin in schema:
            found.append((float(schema[twin]), True))
        if not found:
            return None
        # The tightest of inclusive and exclusive; at equal values the exclusive one is tighter.
        return (max if lower else min)(found, key=lambda b: (b[0], b[1] if lower else not b[1]))

    old_bound, new_bound = bound(old), bound(new)
    if new_bound is None:
        return False
    if old_bound is None:
        return True
    if new_bound[0] != old_bound[0]:
        return new_bound[0] > old_bound[0] if lower else new_bound[0] < old_bound[0]
    return new_bound[1] and not old_bound[1]


class _Comparison:
    """Walks two schemas side by side, resolving each side's $refs in its own document."""

    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self._roots = (old_root, new_root)
        self._active: set[tuple[str, str]] = set()  # $ref pairs being compared (recursion guard)

    def _resolve(self, schema: Schema, side: int) -> tuple[Schema, str]:
        ref = ""
        while "$ref" in schema:
            ref = str(schema["$ref"])
            target: Any = self._roots[side]
            for part in ref.removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            # Keywords beside a $ref apply too (pydantic puts default/description there).
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return schema, ref

    def _branches(self, schema: Schema, side: int) -> list[Schema]:
        schema, _ = self._resolve(schema, side)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return [b for sub in schema[key] for b in self._branches(sub, side)]
        if isinstance(schema.get("type"), list):
            return [{**schema, "type": kind} for kind in schema["type"]]
        return [schema]

    def compare(self, old: Schema, new: Schema, path: str) -> list[BreakingChange]:
        """Why `new` refuses something `old` accepts, or drops one of its fields, at `path`."""
        (_, old_ref), (_, new_ref) = self._resolve(old, 0), self._resolve(new, 1)
        pair = (old_ref, new_ref)
        if old_ref and new_ref:
            if pair in self._active:
                return []  # a recursive model: this pair is already being compared further up
            self._active.add(pair)
        try:
            new_branches = self._branches(new, 1)
            changes: list[BreakingChange] = []
            for branch in self._branches(old, 0):
                changes += self._covered(branch, new_branches, path)
            return changes
        finally:
            self._active.discard(pair)

    def _covered(self, old: Schema, new_branches: list[Schema], path: str) -> list[BreakingChange]:
        """What no new branch accepts of one old branch: the closest branch's reasons."""
        values = _values(old)
        if values is not None:
            lost = [v for v in values if not any(_accepts_value(n, v) for n in new_branches)]
            return [BreakingChange(path, NARROWED, f"{lost!r} no longer accepted")] if lost else []
        candidates = [
            n
            for n in new_branches
            if _is_any(n) or (not _is_any(old) and _type_fits(_type(old), _type(n)))
        ]
        if not candidates:
            now = " | ".join(_describe(n) for n in new_branches)
            detail = f"{_describe(old)} no longer accepted (now {now})"
            return [BreakingChange(path, NARROWED, detail)]
        found = [self._accepts(old, n, path) for n in candidates]
        return [] if any(not f for f in found) else min(found, key=len)

    def _accepts(self, old: Schema, new: Schema, path: str) -> list[BreakingChange]:
        if _is_any(new):
            return []
        if _values(new) is not None:
            return [BreakingChange(path, NARROWED, f"any {_describe(old)} -> {_describe(new)}")]
        changes = self._constraints(old, new, path)
        kind = _type(new)
        if kind == "object":
            changes += self._object(old, new, path)
        elif kind == "array":
            changes += self._array(old, new, path)
        return changes

    def _constraints(self, old: Schema, new: Schema, path: str) -> list[BreakingChange]:
        changes = []
        for bounds, lower in ((_LOWER_BOUNDS, True), (_UPPER_BOUNDS, False)):
            for key, twin in bounds:
                if _bound_narrowed(old, new, key, twin, lower):
                    was = ", ".join(f"{k} {old[k]}" for k in (key, twin) if k and k in old)
                    now = ", ".join(f"{k} {new[k]}" for k in (key, twin) if k and k in new)
                    detail = f"{now} (was {was or 'unbounded'})"
                    changes.append(BreakingChange(path, NARROWED, detail))
        for key in ("pattern", "format", "multipleOf"):
            if key in new and new[key] != old.get(key):
                was = old.get(key, "none")
                changes.append(BreakingChange(path, NARROWED, f"{key} {new[key]!r} (was {was!r})"))
        if new.get("uniqueItems") and not old.get("uniqueItems"):
            changes.append(BreakingChange(path, NARROWED, "items must now be unique"))
        return changes

    def _object(self, old: Schema, new: Schema, path: str) -> list[BreakingChange]:
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        added = [name for name in new_props if name not in old_props]
        hint = f" (renamed to {', '.join(added)}?)" if added else ""
        changes = [
            BreakingChange(_join(path, name), REMOVED, f"field removed{hint}")
            for name in old_props
            if name not in new_props
        ]
        for name in old_props:
            if name in new_props:
                changes += self.compare(old_props[name], new_props[name], _join(path, name))
        for name in sorted(new_required - old_required):
            if name in old_props:
                detail = "optional field is now required"
                changes.append(BreakingChange(_join(path, name), NOW_REQUIRED, detail))
            else:
                detail = "new field is required; messages without it are refused"
                changes.append(BreakingChange(_join(path, name), ADDED_REQUIRED, detail))
        old_extra, new_extra = (
            old.get("additionalProperties", {}),
            new.get("additionalProperties", {}),
        )
        if new_extra is False and old_extra is not False:
            changes.append(BreakingChange(path, NARROWED, "fields it does not know are refused"))
        else:
            changes += self._compare_any(old_extra, new_extra, _join(path, "*"))
        return changes

    def _array(self, old: Schema, new: Schema, path: str) -> list[BreakingChange]:
        changes: list[BreakingChange] = []
        old_prefix: Sequence[Schema] = old.get("prefixItems", ())
        new_prefix: Sequence[Schema] = new.get("prefixItems", ())
        old_items, new_items = old.get("items", {}), new.get("items", {})
        # Tuples: position i is described by prefixItems[i], positions after them by items.
        for index in range(max(len(old_prefix), len(new_prefix))):
            old_item = old_prefix[index] if index < len(old_prefix) else old_items
            new_item = new_prefix[index] if index < len(new_prefix) else new_items
            changes += self._compare_any(old_item, new_item, f"{path}[{index}]")
        changes += self._compare_any(old_items, new_items, f"{path}[]")
        return changes

    def _compare_any(
        self, old: Schema | bool, new: Schema | bool, path: str
    ) -> list[BreakingChange]:
        # JSON Schema allows `true` (anything) and `false` (nothing) where a schema is expected.
        if old is False:
            return []
        if new is False:
            return [BreakingChange(path, NARROWED, "nothing accepted any more")]
        return self.compare({} if old is True else old, {} if new is True else new, path)
