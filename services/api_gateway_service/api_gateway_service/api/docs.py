"""OpenAPI error responses: every documented 4xx/5xx carries the shared error body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common_core.errors import ErrorBody

_DESCRIPTIONS = {
    400: "Malformed request.",
    401: "Missing, expired or invalid bearer token (WWW-Authenticate: Bearer).",
    404: "Not found, or not yours: both answer the same.",
    408: "The upload body did not arrive in time (code TIMEOUT).",
    409: "Conflict with the current state (a duplicate, or a batch or class not ready).",
    413: "The upload is larger than the limit.",
    415: "The body's media type is not accepted here.",
    422: "Request validation failed.",
    429: "Rate limit exceeded (Retry-After says when to try again).",
    502: "A downstream service failed.",
    503: "A downstream service or Kafka is unavailable (Retry-After says when to try again).",
}


def error_responses(
    *statuses: int, notes: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the given statuses, plus 422, 429, 502 and 503 of every route.

    422 is always listed so FastAPI's own HTTPValidationError schema (which our handler never
    sends) is replaced by the error body clients really get. `notes` replaces a status's
    generic description with what it means on this route (its codes).
    """
    described = {**_DESCRIPTIONS, **(notes or {})}
    wanted = sorted(set(statuses) | set(notes or ()) | {422, 429, 502, 503})
    return {s: {"model": ErrorBody, "description": described[s]} for s in wanted}
