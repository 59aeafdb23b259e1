"""Content-Security-Policy and the other security headers of the web app and the API docs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

__all__ = ["app_headers", "docs_headers", "origin_of"]

# A Host header as browsers send it: a name or IPv4 address, or a bracketed IPv6 address,
# with an optional port. Anything else stays out of the policy (header injection).
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")

_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def origin_of(url: str) -> str | None:
    """scheme://host[:port] of an http(s) URL, or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not _HOST.match(parts.netloc):
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _policy(directives: dict[str, Iterable[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def app_headers(host: str | None, identity_provider_origins: Iterable[str] = ()) -> dict[str, str]:
    """Headers of the teacher app: scripts, styles and connections from this origin only.

    Older Safari does not count ws:/wss: as 'self', so the socket's origin is named from the
    request's Host. The OpenID provider's origin is allowed for what oidc-client-ts does
    itself: fetching discovery, keys and tokens (connect-src) and its session-check and
    silent-renew iframes (frame-src); sign-in itself is a top-level navigation.
    """
    provider = list(identity_provider_origins)
    sockets = [f"ws://{host}", f"wss://{host}"] if host and _HOST.match(host) else []
    policy = _policy(
        {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "img-src": ["'self'", "data:"],
            "font-src": ["'self'"],
            "connect-src": ["'self'", *sockets, *provider],
            "frame-src": ["'self'", *provider],
            "object-src": ["'none'"],
            "frame-ancestors": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
        }
    )
    return {"Content-Security-Policy": policy, **_COMMON}


def docs_headers() -> dict[str, str]:
    """Headers of /docs and /redoc: every script from this origin, inline styles allowed.

    Swagger UI (React style attributes) and ReDoc (styled-components, which writes <style>
    elements at run time) cannot render without inline styles; their scripts stay 'self'
    only, so an injected script still cannot run. ReDoc starts its search index in a worker
    made from a blob: URL.
    """
    policy = _policy(
        {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'", "'unsafe-inline'"],
            "img-src": ["'self'", "data:"],
            "font-src": ["'self'", "data:"],
            "connect-src": ["'self'"],
            "worker-src": ["'self'", "blob:"],
            "object-src": ["'none'"],
            "frame-ancestors": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
        }
    )
    return {"Content-Security-Policy": policy, **_COMMON}
