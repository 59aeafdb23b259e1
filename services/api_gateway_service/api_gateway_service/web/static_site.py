"""The built teacher app: its files with cache headers, and index.html for client routes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from api_gateway_service.web.security_headers import app_headers

__all__ = ["RESERVED_PREFIXES", "WebAppFallback", "WebAppSite"]

# Paths that belong to the API and the operators: never a file of the app, never index.html,
# so an unknown /v1/... stays the JSON 404 that API clients expect.
RESERVED_PREFIXES = (
    "/v1",
    "/ws",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/config.json",
    "/healthz",
    "/metrics",
)
# Vite writes the bundle under assets/ with a content hash in every name: a changed file
# gets a new name, so these may be cached for good; everything else is revalidated (ETag).
_HASHED_ASSETS = "/assets/"
_IMMUTABLE = "public, max-age=31536000, immutable"
_REVALIDATE = "no-cache"
_INDEX = "index.html"

_NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HuleEdu: web app not built</title></head>
<body><main><h1>The teacher web app is not built on this server</h1>
<p>Developers: <code>make web</code> (or <code>make up</code>) builds it into
<code>clients/teacher_web/dist</code>. Operators: point
<code>API_GATEWAY_SERVICE_WEB_APP_DIR</code> at the built app.</p>
<p>The API itself works: <a href="/docs">/docs</a>, <a href="/openapi.json">/openapi.json</a>.</p>
</main></body></html>
"""


def is_reserved(path: str) -> bool:
    """True for the API's and operators' paths (and everything under them)."""
    return any(path == p or path.startswith(p + "/") for p in RESERVED_PREFIXES)


def _relative(path: str) -> str:
    """The request path inside the app's directory; "" for the root or a path leaving it."""
    relative = os.path.normpath(path.lstrip("/")) if path != "/" else ""
    return "" if relative in (".", "") or relative.startswith("..") else relative


def _accepts_html(scope: Scope) -> bool:
    # A browser's navigation names text/html; fetch() and API clients (*/* or JSON) do not.
    return "text/html" in Headers(scope=scope).get("accept", "")


class WebAppSite:
    """Serves files of the built app from one directory; a missing build is a clear page."""

    def __init__(self, directory: Path, identity_provider_origins: Iterable[str] = ()) -> None:
        self.directory = directory
        self._files = StaticFiles(directory=directory, check_dir=False)
        self._provider_origins = tuple(identity_provider_origins)

    @property
    def built(self) -> bool:
        """Whether the directory holds a built app (its index.html)."""
        return (self.directory / _INDEX).is_file()

    async def respond(self, scope: Scope) -> Response | None:
        """The file at the request's path, index.html for a client route, or None (404)."""
        path: str = scope["path"]
        relative = _relative(path)
        if relative:
            response = await self._file(relative, scope)
            if response is not None:
                cache = _IMMUTABLE if path.startswith(_HASHED_ASSETS) else _REVALIDATE
                return self._with_headers(response, scope, cache)
        if path != "/" and (path.startswith(_HASHED_ASSETS) or not _accepts_html(scope)):
            return None
        index = await self._file(_INDEX, scope)
        if index is None:
            return self._with_headers(HTMLResponse(_NOT_BUILT_PAGE, 503), scope, "no-store")
        return self._with_headers(index, scope, _REVALIDATE)

    async def _file(self, relative: str, scope: Scope) -> Response | None:
        try:
            return await self._files.get_response(relative, scope)
        except HTTPException:
            return None

    def _with_headers(self, response: Response, scope: Scope, cache_control: str) -> Response:
        host = Headers(scope=scope).get("host")
        response.headers.update(app_headers(host, self._provider_origins))
        response.headers["Cache-Control"] = cache_control
        return response


class WebAppFallback:
    """The router's default app: what no route claims, the web app may answer; else 404.

    Installed as the router's default (not as a catch-all route) so that every API route
    keeps its own answers: a GET on a POST-only route is still 405, not the app.
    """

    # The label of these requests in the HTTP metrics (the router reads route templates).
    path_format = "/{web_app_path}"

    def __init__(self, site: WebAppSite, not_found: ASGIApp) -> None:
        self.site = site
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a GET or HEAD of a web app path; anything else goes to `not_found`."""
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or is_reserved(scope["path"])
        ):
            await self.not_found(scope, receive, send)
            return
        response = await self.site.respond(scope)
        if response is None:
            await self.not_found(scope, receive, send)
            return
        scope["route"] = self
        await GZipMiddleware(response, minimum_size=1024, compresslevel=6)(scope, receive, send)
