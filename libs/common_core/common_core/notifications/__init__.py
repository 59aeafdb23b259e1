"""Teacher notification texts: a stable code plus parameters, rendered in Swedish or English.

Producers send `notification_type` = a NotificationCode and `params` with the values its text
shows; `render` turns them into the teacher's language. The web app keeps the same texts in its
vue-i18n messages (documentation/notifications.json is the copy its test compares against).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common_core.notifications.codes import (
    DEFAULT_LOCALE,
    VARIANT,
    Locale,
    Message,
    NotificationCode,
    NotificationParams,
    ParamValue,
    placeholders,
)
from common_core.notifications.texts import CATALOGUE


class UnknownNotification(LookupError):
    """No text for this code (and variant), or a parameter its text needs is missing."""


def message_for(code: str, variant: object = None) -> Message:
    """The catalogue's message for `code` (and its `variant`, when the code has several)."""
    try:
        texts = CATALOGUE[NotificationCode(code)]
    except ValueError as exc:
        raise UnknownNotification(f"no notification code {code!r}") from exc
    if isinstance(texts, Message):
        return texts
    if not isinstance(variant, str) or variant not in texts:
        raise UnknownNotification(f"{code!r} has no variant {variant!r}")
    return texts[variant]


def render(
    code: str, params: Mapping[str, ParamValue], locale: str | Locale = DEFAULT_LOCALE
) -> str:
    """The text of `code` in `locale` with `params` filled in; UnknownNotification if it can't."""
    message = message_for(code, params.get(VARIANT))
    missing = [name for name in message.params if name not in params]
    if missing:
        raise UnknownNotification(f"{code!r} needs {', '.join(missing)}")
    return message.text(Locale(locale)).format_map({name: params[name] for name in message.params})


def try_render(code: str, params: Mapping[str, Any], locale: str | Locale) -> str | None:
    """Like render, but None for a code, variant or parameter set the catalogue can't render."""
    try:
        return render(code, params, locale)
    except UnknownNotification:
        return None


def catalogue_document() -> dict[str, Any]:
    """The catalogue as plain data: code -> {params, sv, en}, or variant -> that, per code."""

    def entry(message: Message) -> dict[str, Any]:
        return {"params": list(message.params), "sv": message.sv, "en": message.en}

    return {
        code.value: entry(texts)
        if isinstance(texts, Message)
        else {variant: entry(m) for variant, m in texts.items()}
        for code, texts in CATALOGUE.items()
    }


__all__ = [
    "CATALOGUE",
    "DEFAULT_LOCALE",
    "VARIANT",
    "Locale",
    "Message",
    "NotificationCode",
    "NotificationParams",
    "ParamValue",
    "UnknownNotification",
    "catalogue_document",
    "message_for",
    "placeholders",
    "render",
    "try_render",
]
