"""GET /config.json: what the teacher app needs to know at run time (sign-in options)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api_gateway_service.config import GatewaySettings

__all__ = ["OidcClientConfig", "WebClientConfig", "client_config_router", "web_client_config"]


class OidcClientConfig(BaseModel):
    """The OpenID Connect client the app runs (authorisation code with PKCE)."""

    authority: str
    client_id: str
    redirect_uri: str
    scope: str


class WebClientConfig(BaseModel):
    """The app's run-time configuration: OIDC sign-in, and whether "sign in as" exists."""

    oidc: OidcClientConfig | None
    dev_sign_in: bool


def web_client_config(settings: GatewaySettings) -> WebClientConfig:
    """The configuration the settings describe; OIDC only when a provider is configured."""
    oidc = None
    if settings.web_oidc_authority:
        oidc = OidcClientConfig(
            authority=settings.web_oidc_authority,
            client_id=settings.web_oidc_client_id,
            redirect_uri=settings.web_oidc_redirect_uri,
            scope=settings.web_oidc_scope,
        )
    return WebClientConfig(oidc=oidc, dev_sign_in=settings.dev_tokens_enabled)


def client_config_router(settings: GatewaySettings) -> APIRouter:
    """GET /config.json; outside the OpenAPI schema (it configures the app, not the API)."""
    router = APIRouter(include_in_schema=False)
    body = web_client_config(settings).model_dump(mode="json")

    @router.get("/config.json")
    async def client_config() -> JSONResponse:
        """The teacher app's run-time configuration."""
        return JSONResponse(body, headers={"Cache-Control": "no-cache"})

    return router
