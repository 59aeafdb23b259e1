"""FastAPI dependency turning the Authorization header into a Principal (or our 401 body)."""

from __future__ import annotations

from fastapi import Request
from fastapi.security import HTTPBearer

from api_gateway_service.auth.tokens import AuthError, Principal, TokenVerifier
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError

__all__ = ["BEARER_SCHEME", "current_principal", "unauthorized"]

# Declared only for OpenAPI (the security scheme); verification happens below.
BEARER_SCHEME = HTTPBearer(bearerFormat="JWT", auto_error=False)


def unauthorized(message: str) -> HuleEduError:
    """401 UNAUTHORIZED in our error body with the challenge header."""
    return HuleEduError(
        ErrorCode.UNAUTHORIZED, message, headers={"WWW-Authenticate": 'Bearer realm="huleedu"'}
    )


def bearer_token(request: Request) -> str:
    """The token of an `Authorization: Bearer <token>` header, or an empty string."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return token.strip()


async def current_principal(request: Request) -> Principal:
    """The caller of this request; raises 401 for a missing or invalid token."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    token = bearer_token(request)
    if not token:
        raise unauthorized("Missing bearer token")
    verifier: TokenVerifier = request.app.state.verifier
    try:
        principal = await verifier.verify(token)
    except AuthError as exc:
        raise unauthorized(exc.message) from exc
    # Kept on the request: resolving the caller again in this request does not re-verify.
    request.state.principal = principal
    return principal
