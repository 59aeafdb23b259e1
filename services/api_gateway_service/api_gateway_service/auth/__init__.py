"""Authentication: JWT verification, development tokens and the FastAPI dependency."""

from api_gateway_service.auth.dependencies import (
    BEARER_SCHEME,
    bearer_token,
    current_principal,
    unauthorized,
)
from api_gateway_service.auth.tokens import AuthError, Principal, TokenIssuer, TokenVerifier

__all__ = [
    "BEARER_SCHEME",
    "AuthError",
    "Principal",
    "TokenIssuer",
    "TokenVerifier",
    "bearer_token",
    "current_principal",
    "unauthorized",
]
