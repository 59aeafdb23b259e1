"""The notification catalogue: every code in both languages, fields exactly as declared."""

from __future__ import annotations

import pytest

from common_core.notifications import (
    CATALOGUE,
    VARIANT,
    Locale,
    Message,
    NotificationCode,
    UnknownNotification,
    catalogue_document,
    placeholders,
    render,
    try_render,
)

pytestmark = pytest.mark.unit


def _messages() -> list[tuple[str, Message]]:
    found: list[tuple[str, Message]] = []
    for code, texts in CATALOGUE.items():
        if isinstance(texts, Message):
            found.append((code.value, texts))
        else:
            found.extend((f"{code.value}.{variant}", m) for variant, m in texts.items())
    return found


def test_every_code_has_texts() -> None:
    assert set(CATALOGUE) == set(NotificationCode)


@pytest.mark.parametrize(("key", "message"), _messages(), ids=lambda v: str(v)[:40])
def test_both_languages_show_exactly_the_declared_params(key: str, message: Message) -> None:
    assert message.sv.strip(), key
    assert message.en.strip(), key
    assert message.sv != message.en, key
    assert placeholders(message.sv) == set(message.params), key
    assert placeholders(message.en) == set(message.params), key
    assert VARIANT not in message.params
    # vue-i18n reads these characters as syntax: the web copy must stay plain text.
    for text in (message.sv, message.en):
        assert not set("|@$") & set(text), key


@pytest.mark.parametrize(("key", "message"), _messages(), ids=lambda v: str(v)[:40])
def test_every_text_renders_with_its_params(key: str, message: Message) -> None:
    code, _, variant = key.partition(".")
    params: dict[str, str | int | float] = {name: 7 for name in message.params}
    if variant:
        params[VARIANT] = variant
    for locale in Locale:
        text = render(code, params, locale)
        assert "{" not in text
        assert text == message.text(locale).format(**{n: 7 for n in message.params})


def test_render_picks_the_language_and_the_default_is_swedish() -> None:
    params = {"ready_count": 3, "expected_count": 5}
    assert render("batch_essays_updated", params, "en") == "More essays joined: 3 of 5 are ready."
    assert render("batch_essays_updated", params) == "Fler uppsatser kom med: 3 av 5 är klara."


def test_a_variant_picks_its_text() -> None:
    params = {VARIANT: "already_run", "pipeline": "spellcheck"}
    assert render(NotificationCode.PIPELINE_DENIED, params, Locale.EN) == (
        "The spellcheck pipeline has already run for this batch."
    )


@pytest.mark.parametrize(
    ("code", "params"),
    [
        ("no_such_code", {}),
        ("batch_essays_ready", {}),
        ("pipeline_denied", {}),
        ("pipeline_denied", {VARIANT: "no_such_variant"}),
    ],
)
def test_what_cannot_be_rendered_is_refused(code: str, params: dict[str, int | str]) -> None:
    with pytest.raises(UnknownNotification):
        render(code, params)
    assert try_render(code, params, Locale.EN) is None


def test_the_document_lists_every_text() -> None:
    document = catalogue_document()
    assert document["batch_ready"]["partial"]["params"] == ["ready_count", "missing_count"]
    assert document["file_removed"]["en"] == "{file_name} was removed from the batch."
    assert len(document) == len(NotificationCode)
