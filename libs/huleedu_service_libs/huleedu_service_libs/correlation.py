"""Correlation id and user id of the current request or message, held in contextvars.

HTTP middleware and Kafka consumers set them; logging reads them, so every log line of the
unit of work carries both without passing them around.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

__all__ = [
    "CORRELATION_ID_HEADER",
    "INTERNAL_API_KEY_HEADER",
    "USER_ID_HEADER",
    "correlation_context",
    "ensure_correlation_id",
    "get_correlation_id",
    "get_user_id",
    "is_valid_id",
    "new_correlation_id",
    "outgoing_headers",
    "reset_correlation_id",
    "reset_user_id",
    "set_correlation_id",
    "set_user_id",
]

CORRELATION_ID_HEADER = "X-Correlation-ID"
USER_ID_HEADER = "X-User-ID"
INTERNAL_API_KEY_HEADER = "X-Internal-API-Key"

# Incoming ids end up in every log line and response header: accept only short, plain tokens
# so a caller cannot inject newlines or megabytes into our logs.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

_correlation_id: ContextVar[str | None] = ContextVar("huleedu_correlation_id", default=None)
_user_id: ContextVar[str | None] = ContextVar("huleedu_user_id", default=None)


def new_correlation_id() -> str:
    """A fresh correlation id (uuid4 string)."""
    return str(uuid.uuid4())


def is_valid_id(value: str | None) -> bool:
    """True when the value is safe to log and echo as an id."""
    return value is not None and _VALID_ID.fullmatch(value) is not None


def ensure_correlation_id(incoming: str | None) -> str:
    """The incoming id when it is well-formed, else a new one."""
    return incoming if incoming is not None and is_valid_id(incoming) else new_correlation_id()


def get_correlation_id() -> str | None:
    """The correlation id of the current context, if any."""
    return _correlation_id.get()


def set_correlation_id(value: str | None) -> Token[str | None]:
    """Set the correlation id; keep the token to reset it."""
    return _correlation_id.set(value)


def reset_correlation_id(token: Token[str | None]) -> None:
    """Restore the correlation id from before the matching set."""
    _correlation_id.reset(token)


def get_user_id() -> str | None:
    """The user id of the current context, if any."""
    return _user_id.get()


def set_user_id(value: str | None) -> Token[str | None]:
    """Set the user id; keep the token to reset it."""
    return _user_id.set(value)


def reset_user_id(token: Token[str | None]) -> None:
    """Restore the user id from before the matching set."""
    _user_id.reset(token)


@contextmanager
def correlation_context(
    correlation_id: str | None = None, user_id: str | None = None
) -> Iterator[str]:
    """Bind ids for a block (e.g. handling one Kafka message); yields the correlation id."""
    cid = ensure_correlation_id(correlation_id)
    cid_token = set_correlation_id(cid)
    uid_token = set_user_id(user_id)
    try:
        yield cid
    finally:
        reset_user_id(uid_token)
        reset_correlation_id(cid_token)


def outgoing_headers() -> dict[str, str]:
    """Headers that propagate the current ids on a call to another service."""
    headers: dict[str, str] = {}
    cid = get_correlation_id()
    if cid is not None:
        headers[CORRELATION_ID_HEADER] = cid
    uid = get_user_id()
    if uid is not None:
        headers[USER_ID_HEADER] = uid
    return headers
