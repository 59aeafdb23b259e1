"""POST /v1/dev/tokens: development tokens; the route exists only in development."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api_gateway_service.api.docs import error_responses
from api_gateway_service.api.models import DevTokenRequest, DevTokenResponse
from api_gateway_service.auth import AuthError, TokenIssuer
from huleedu_service_libs.errors import invalid_request

__all__ = ["dev_router"]


def dev_router(issuer: TokenIssuer) -> APIRouter:
    """The token-minting route (mount it only when issuer.enabled).

    Not rate limited: it exists only in development, where the e2e tests and benchmarks mint
    hundreds of teachers' tokens from one address; a per-address limit would only stop them.
    """
    router = APIRouter(prefix="/v1/dev", tags=["development"])

    @router.post(
        "/tokens",
        status_code=201,
        response_model=DevTokenResponse,
        responses={k: v for k, v in error_responses(400).items() if k not in (502, 503)},
        summary="Mint a development token (development only)",
    )
    async def issue_dev_token(request: Request, body: DevTokenRequest) -> DevTokenResponse:
        """A signed HS256 token for any user id; this route does not exist outside development."""
        try:
            token, expires_in = issuer.issue(body.user_id)
        except AuthError as exc:
            raise invalid_request(exc.message) from exc
        return DevTokenResponse(access_token=token, expires_in=expires_in)

    return router
