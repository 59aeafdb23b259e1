"""The committed event contracts: current, and no topic changed in a way its messages can't take.

The first tests check the committed files; the rest run the same checks on altered copies in a
temporary directory, so they show the gate refusing what it must (the committed files are
never touched) whether or not the committed ones are current.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from common_core.schema_compat import NARROWED, REMOVED, message_schema, topic_breaking_changes
from common_core.topics import ALL_TOPICS, EVENT_TOPICS

from .scripts_loader import load_script

ROOT = Path(__file__).resolve().parents[1]

contracts = load_script("scripts/contracts.py")
RENDERED = contracts.rendered_files()
TOPIC = "huleedu.notification.teacher.requested.v1"
MODEL = next(model for model, topic in EVENT_TOPICS.items() if topic == TOPIC)


def committed(root: Path, topic: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((root / contracts.schema_path(topic)).read_text())
    return found


def test_the_committed_asyncapi_document_is_current() -> None:
    text = (ROOT / contracts.ASYNCAPI).read_text()
    assert text == RENDERED[contracts.ASYNCAPI], (
        f"{contracts.ASYNCAPI} is stale: run `{contracts.REGENERATE}` and commit it"
    )


def test_the_committed_notification_texts_are_current() -> None:
    text = (ROOT / contracts.NOTIFICATIONS).read_text()
    assert text == RENDERED[contracts.NOTIFICATIONS], (
        f"{contracts.NOTIFICATIONS} is stale: run `{contracts.REGENERATE}` and commit it"
    )


@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_no_topic_refuses_what_its_committed_schema_allowed(topic: str) -> None:
    path = ROOT / contracts.schema_path(topic)
    assert path.is_file(), f"{topic} has no committed schema: run `{contracts.REGENERATE}`"
    model = next(m for m, t in EVENT_TOPICS.items() if t == topic)
    changes = topic_breaking_changes(committed(ROOT, topic), model)
    assert not changes, contracts.report_breaking({topic: changes})


@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_the_committed_schema_is_current(topic: str) -> None:
    expected = RENDERED[contracts.schema_path(topic)]
    assert (ROOT / contracts.schema_path(topic)).read_text() == expected, (
        f"{contracts.schema_path(topic)} is stale: run `{contracts.REGENERATE}` and commit it"
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The contract files as the code renders them now, in a scratch repository root."""
    for relative, text in RENDERED.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    return tmp_path


def edit_committed(root: Path, topic: str, change: Any) -> None:
    """Rewrite the copy's committed schema of `topic` with change(event_schema)."""
    schema = committed(root, topic)
    change(schema["$defs"][MODEL.__name__])
    (root / contracts.schema_path(topic)).write_text(json.dumps(schema, indent=2) + "\n")


def test_the_copy_passes_like_the_original(copy: Path) -> None:
    assert contracts.breaking(copy) == {}
    assert contracts.stale_files(copy) == []
    assert contracts.main(["--check", "--root", str(copy)]) == 0


def test_a_field_the_model_no_longer_has_is_refused_and_nothing_is_written(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As if the committed schema had a field the current model dropped.
    edit_committed(copy, TOPIC, lambda s: s["properties"].update(legacy={"type": "string"}))
    before = (copy / contracts.schema_path(TOPIC)).read_text()

    found = contracts.breaking(copy)
    assert [(c.path, c.rule) for c in found[TOPIC]] == [("data.legacy", REMOVED)]
    assert contracts.main(["--root", str(copy)]) == 1
    assert (copy / contracts.schema_path(TOPIC)).read_text() == before
    err = capsys.readouterr().err
    assert f"{TOPIC}: data.legacy: removed" in err
    assert ".v2" in err


def test_a_type_the_model_narrowed_is_refused(copy: Path) -> None:
    # As if the model had narrowed user_id from `str | int` to `str`.
    edit_committed(
        copy,
        TOPIC,
        lambda s: s["properties"].update(
            user_id={"anyOf": [{"type": "string"}, {"type": "integer"}]}
        ),
    )
    found = contracts.breaking(copy)[TOPIC]
    assert [(c.path, c.rule) for c in found] == [("data.user_id", NARROWED)]


def test_an_added_optional_field_passes_and_is_refreshed(copy: Path) -> None:
    # As if the model had just gained its optional field `message`: drop it from the copy.
    assert not MODEL.model_fields["message"].is_required()
    edit_committed(copy, TOPIC, lambda s: s["properties"].pop("message"))

    assert contracts.breaking(copy) == {}
    assert contracts.stale_files(copy) == [contracts.schema_path(TOPIC)]
    assert contracts.main(["--check", "--root", str(copy)]) == 1
    assert contracts.main(["--root", str(copy)]) == 0
    assert committed(copy, TOPIC) == message_schema(MODEL)


def test_a_new_topic_version_gets_its_schema_written(copy: Path) -> None:
    # A topic with nothing committed (a new .v2) is not compared, only written.
    (copy / contracts.schema_path(TOPIC)).unlink()
    assert contracts.breaking(copy) == {}
    assert contracts.main(["--root", str(copy)]) == 0
    assert committed(copy, TOPIC) == message_schema(MODEL)


def test_a_stale_asyncapi_document_is_found_and_rewritten(copy: Path) -> None:
    (copy / contracts.ASYNCAPI).write_text("asyncapi: 3.0.0\n")
    assert contracts.stale_files(copy) == [contracts.ASYNCAPI]
    assert contracts.main(["--root", str(copy)]) == 0
    assert (copy / contracts.ASYNCAPI).read_text() == contracts.render_asyncapi()
