"""JWT verification for every public route and development token minting."""

from __future__ import annotations

import time
from types import MappingProxyType
from typing import Any

import jwt

from api_gateway_service.auth.jwks import JwksKeys, KeysUnavailable, SigningKeys
from api_gateway_service.auth.principal import Principal
from api_gateway_service.auth.verified_tokens import VerifiedTokens
from api_gateway_service.config import GatewaySettings

__all__ = ["AuthError", "Principal", "TokenIssuer", "TokenVerifier"]

_REQUIRED_CLAIMS = ["exp", "sub", "aud", "iss"]


class AuthError(Exception):
    """A token was missing or not acceptable; the message is safe to show the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TokenVerifier:
    """Checks signature, algorithm, expiry, audience, issuer and subject of a bearer token.

    A verified token's principal is kept until the token expires (`VerifiedTokens`), for the
    key that verified it; the JWKS key is still looked up per request, so rotation applies.
    """

    def __init__(self, settings: GatewaySettings, *, jwks: SigningKeys | None = None) -> None:
        """`jwks` replaces the key set fetched from `jwt_jwks_url` (RS256 without a PEM key)."""
        self._algorithm = settings.jwt_algorithm
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer
        self._leeway = settings.jwt_leeway_seconds
        self._jwks: SigningKeys | None = None
        self._key: str = ""
        self._verified = VerifiedTokens(settings.jwt_verified_cache_size)
        if self._algorithm == "HS256":
            self._key = settings.jwt_secret
        elif settings.jwt_public_key:
            self._key = settings.jwt_public_key
        else:
            self._jwks = jwks or JwksKeys(
                settings.jwt_jwks_url,
                cache_seconds=settings.jwt_jwks_cache_seconds,
                min_refetch_seconds=settings.jwt_jwks_min_refetch_seconds,
            )

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; AuthError for anything else."""
        if not token:
            raise AuthError("Missing bearer token")
        key: Any = self._key
        if self._jwks is not None:
            key = await _signing_key(self._jwks, token)
        principal = self._verified.get(token, key)
        if principal is None:
            principal = self._decode(token, key)
            self._verified.put(token, key, principal)
        return principal

    def _decode(self, token: str, key: Any) -> Principal:
        """Signature and claims checked with `key`; AuthError for anything not acceptable."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                # Exactly one accepted algorithm: no "none", no HS/RS confusion.
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("Token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthError("Token audience is not accepted") from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthError("Token issuer is not accepted") from exc
        except jwt.PyJWTError as exc:
            raise AuthError("Invalid token") from exc
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise AuthError("Token has no subject")
        # Read-only: one principal may now serve many requests.
        return Principal(user_id=subject, claims=MappingProxyType(claims))


class TokenIssuer:
    """Mints HS256 development tokens with the configured secret, audience and issuer."""

    def __init__(self, settings: GatewaySettings) -> None:
        self._settings = settings

    @property
    def enabled(self) -> bool:
        """True only in development with HS256: otherwise the gateway cannot mint tokens."""
        return self._settings.dev_tokens_enabled and self._settings.jwt_algorithm == "HS256"

    def issue(self, user_id: str) -> tuple[str, int]:
        """A signed token for user_id and its lifetime in seconds."""
        if not self.enabled:
            raise AuthError("Development tokens are not available in this environment")
        if not user_id.strip():
            raise AuthError("user_id must not be empty")
        now = int(time.time())
        ttl = self._settings.dev_token_ttl_seconds
        claims = {
            "sub": user_id,
            "aud": self._settings.jwt_audience,
            "iss": self._settings.jwt_issuer,
            "iat": now,
            "exp": now + ttl,
        }
        token = jwt.encode(claims, self._settings.jwt_secret, algorithm="HS256")
        return token, ttl


async def _signing_key(jwks: SigningKeys, token: str) -> Any:
    """The published key the token's `kid` names; AuthError when there is none."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as exc:
        raise AuthError("Invalid token") from exc
    try:
        signing_key = await jwks.key_for(kid if isinstance(kid, str) else None)
    except KeysUnavailable as exc:
        raise AuthError("Token keys are unavailable") from exc
    if signing_key is None:
        raise AuthError("Invalid token")
    return signing_key.key
