"""How downstream answers and failures become the gateway's answers."""

from __future__ import annotations

import json
import math
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from common_core.errors import ErrorBody, ErrorCode
from huleedu_service_libs.correlation import get_correlation_id, new_correlation_id
from huleedu_service_libs.errors import HuleEduError, build_error_body, code_for_http_status

__all__ = [
    "DownstreamAnswer",
    "NotADownstreamFailure",
    "bad_gateway",
    "passthrough_body",
    "unavailable",
    "validated",
    "validated_json",
]

SERVICE_NAME = "api_gateway_service"
M = TypeVar("M", bound=BaseModel)


class NotADownstreamFailure(Exception):
    """Raised inside a breaker guard for failures that are the caller's, not the downstream's."""


class DownstreamAnswer(Exception):
    """A downstream 4xx: the gateway answers with the same status and error body."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        super().__init__(f"downstream answered {status}")
        self.status = status
        self.body = body
        self.headers = headers


def unavailable(service: str, *, retry_after: float, reason: str) -> HuleEduError:
    """503 SERVICE_UNAVAILABLE with Retry-After (whole seconds, at least 1)."""
    seconds = max(1, math.ceil(retry_after))
    return HuleEduError(
        ErrorCode.SERVICE_UNAVAILABLE,
        f"The {service} is temporarily unavailable; try again shortly.",
        details={"dependency": service, "service": service, "reason": reason},
        headers={"Retry-After": str(seconds)},
    )


def bad_gateway(service: str, status: int) -> HuleEduError:
    """502 EXTERNAL_SERVICE_ERROR for a downstream 5xx (its body is not shown to clients)."""
    return HuleEduError(
        ErrorCode.EXTERNAL_SERVICE_ERROR,
        f"The {service} failed to answer the request.",
        details={"service": service, "status": status},
    )


def passthrough_body(status: int, raw: bytes) -> dict[str, Any]:
    """The downstream's error body if it is ours; otherwise one built from the status."""
    try:
        parsed = json.loads(raw) if raw else None
        return ErrorBody.model_validate(parsed).model_dump(mode="json")
    except (ValueError, ValidationError):
        # A proxy page or a truncated body: keep the status, never show the foreign text.
        return build_error_body(
            code_for_http_status(status),
            "The request was refused.",
            correlation_id=get_correlation_id() or new_correlation_id(),
            service=SERVICE_NAME,
        )


def validated(model: type[M], data: Any, service: str) -> M:
    """A downstream body as its contract model; a body that breaks the contract is a 502."""
    try:
        return model.model_validate(data)
    except ValidationError:
        raise bad_gateway(service, 200) from None


def validated_json(model: type[M], body: bytes, service: str) -> M:
    """A downstream JSON body parsed straight into its contract model; not JSON or not the
    contract is a 502 (one pass in pydantic instead of json.loads and then validation)."""
    try:
        return model.model_validate_json(body)
    except ValidationError:
        raise bad_gateway(service, 200) from None
