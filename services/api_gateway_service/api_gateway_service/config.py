"""API Gateway settings (env prefix API_GATEWAY_SERVICE_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from common_core.notifications import DEFAULT_LOCALE, Locale
from huleedu_service_libs.config import Environment, ServiceSettings
from huleedu_service_libs.resilience import DEFAULT_RESET_TIMEOUT_SECONDS

# The File Service's own default limit for one upload request (200 MiB).
_FILE_SERVICE_MAX_UPLOAD_BYTES = 209_715_200
_DEV_JWT_SECRET = "dev-jwt-secret-for-local-development-only"  # noqa: S105 - refused in production
# The teacher app as `make web` builds it in this repository (an installed package must be
# told where the build is: API_GATEWAY_SERVICE_WEB_APP_DIR).
_REPO_WEB_APP_DIR = Path(__file__).resolve().parents[3] / "clients" / "teacher_web" / "dist"


class GatewaySettings(ServiceSettings):
    """Port, downstream services, JWT verification, rate limits and realtime tuning."""

    model_config = SettingsConfigDict(env_prefix="API_GATEWAY_SERVICE_", extra="ignore")

    service_name: str = "api_gateway_service"
    http_port: int = 8080
    http_server: str = Field(default="uvicorn", description="uvicorn or hypercorn")

    bos_url: str = "http://127.0.0.1:5001"
    file_service_url: str = "http://127.0.0.1:7001"
    result_aggregator_url: str = "http://127.0.0.1:4003"
    class_management_url: str = "http://127.0.0.1:5002"
    downstream_timeout_seconds: float = 5.0
    # The File Service's answer once the whole body is sent (not the client's transfer).
    upload_timeout_seconds: float = 120.0
    # The client's own budget for sending its whole upload body.
    upload_body_timeout_seconds: float = 900.0
    downstream_get_attempts: int = 3
    breaker_fail_max: int = 5
    breaker_reset_seconds: float = DEFAULT_RESET_TIMEOUT_SECONDS
    retry_after_seconds: int = 5

    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: str = _DEV_JWT_SECRET
    jwt_public_key: str = Field(default="", description="PEM public key for RS256")
    jwt_jwks_url: str = Field(default="", description="JWKS endpoint for RS256")
    jwt_jwks_cache_seconds: int = 300
    # Unknown kids trigger at most one JWKS refetch per interval (an unauthenticated flood
    # of random kids must not stall all authentication).
    jwt_jwks_min_refetch_seconds: float = 30.0
    jwt_audience: str = "huleedu-api"
    jwt_issuer: str = "huleedu"
    jwt_leeway_seconds: int = 30
    # Verified tokens remembered (each until its expiry), so a token is checked once, not per
    # request; 0 verifies every request.
    jwt_verified_cache_size: int = Field(default=10_000, ge=0)
    dev_token_ttl_seconds: int = 3600

    rate_limit_read: str = "600/minute"
    rate_limit_write: str = "60/minute"
    rate_limit_upload: str = "30/minute"
    rate_limit_enabled: bool = True

    max_upload_bytes: int = _FILE_SERVICE_MAX_UPLOAD_BYTES
    # Every other request body (JSON), which FastAPI reads whole before the route runs.
    max_json_body_bytes: int = Field(default=1_048_576, ge=1)
    # A roster CSV request body (CSV plus multipart framing): read into memory, so kept small.
    # 1 MiB leaves room around the Class Management Service's own 1,000,000-byte CSV limit.
    roster_max_bytes: int = Field(default=1_048_576, ge=1)
    # Class Management's answer to an import (up to its row limit, all in one transaction).
    roster_timeout_seconds: float = Field(default=30.0, gt=0)
    pipeline_topic: str = "huleedu.commands.batch.pipeline.v1"
    kafka_publish_timeout_seconds: float = 10.0

    # Without these a half-open Redis connection hangs calls and silently stops pub/sub.
    redis_connect_timeout_seconds: float = 2.0
    redis_socket_timeout_seconds: float = 5.0
    redis_health_check_interval_seconds: float = 15.0

    ws_ticket_ttl_seconds: int = 30
    ws_max_connections_per_user: int = 5
    ws_heartbeat_interval_seconds: float = 20.0
    ws_heartbeat_timeout_seconds: float = 10.0
    ws_send_queue_size: int = 256
    ws_auth_timeout_seconds: float = 5.0
    # Each teacher's recent notifications, kept in Redis for sockets that resume or missed
    # messages while their gateway was reconnecting to Redis.
    ws_log_max_entries: int = Field(default=500, ge=1)
    ws_log_ttl_seconds: int = Field(default=86_400, ge=1)
    notification_consumer_group: str = "api_gateway_service.notifications"
    # The language of a notification's `message` on the socket (sv or en): the token names no
    # locale, so one setting decides for clients that show `message` as it is; the web app and
    # the CLI render `notification_type` + `params` in their user's own language instead.
    notification_locale: Locale = DEFAULT_LOCALE
    # The gateway exports every dead-letter topic's depth for the whole platform (one
    # process does it so the series are not repeated per service).
    dlq_depth_refresh_seconds: float = Field(default=30.0, gt=0)

    # The teacher web app (served at /) and the API docs' assets it carries.
    web_app_dir: Path = _REPO_WEB_APP_DIR
    # OpenID Connect sign-in for the app (authorisation code with PKCE), all three or none:
    # the provider's issuer URL, the app's client id there and its registered redirect URI.
    # Tokens the provider issues must pass the JWT_* checks above (RS256 with its JWKS).
    web_oidc_authority: str = ""
    web_oidc_client_id: str = ""
    web_oidc_redirect_uri: str = ""
    web_oidc_scope: str = "openid profile"

    @model_validator(mode="after")
    def _refuse_dev_jwt_secret(self) -> GatewaySettings:
        # The default is public in this repository; the base check only knows generic names.
        # HS256 keys shorter than the hash (32 bytes) are brute-forceable.
        weak = self.jwt_secret == _DEV_JWT_SECRET or len(self.jwt_secret.encode()) < 32
        if self.environment is Environment.PRODUCTION and self.jwt_algorithm == "HS256" and weak:
            raise ValueError("jwt_secret must be set to a real secret in production")
        if self.jwt_algorithm == "RS256" and not (self.jwt_public_key or self.jwt_jwks_url):
            raise ValueError("RS256 needs jwt_public_key or jwt_jwks_url")
        return self

    @model_validator(mode="after")
    def _check_web_oidc(self) -> GatewaySettings:
        oidc = (self.web_oidc_authority, self.web_oidc_client_id, self.web_oidc_redirect_uri)
        if any(oidc) and not all(oidc):
            raise ValueError(
                "web_oidc_authority, web_oidc_client_id and web_oidc_redirect_uri go together"
            )
        if self.web_oidc_authority and not self.web_oidc_authority.startswith(
            ("https://", "http://")
        ):
            raise ValueError("web_oidc_authority must be the provider's http(s) issuer URL")
        return self

    @property
    def dev_tokens_enabled(self) -> bool:
        """True only in development: the token-minting route exists nowhere else."""
        return self.environment is Environment.DEVELOPMENT

    def secret_values(self) -> dict[str, str]:
        """The internal API key, plus the JWT secret when tokens are HS256-signed."""
        secrets = super().secret_values()
        if self.jwt_algorithm == "HS256":
            secrets["jwt_secret"] = self.jwt_secret
        return secrets
