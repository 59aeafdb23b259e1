"""/docs (Swagger UI) and /redoc (ReDoc) with every asset served by the gateway itself."""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from api_gateway_service.web.security_headers import docs_headers

__all__ = ["DOCS_ASSETS_PATH", "docs_router"]

# Where the web app's build puts the Swagger UI and ReDoc files (from their npm packages,
# swagger-ui-dist and redoc): clients/teacher_web/scripts/copy-api-docs-assets.mjs.
DOCS_ASSETS_PATH = "/api-docs-assets"
_SWAGGER_JS = "swagger-ui/swagger-ui-bundle.js"
_SWAGGER_CSS = "swagger-ui/swagger-ui.css"
_REDOC_JS = "redoc/redoc.standalone.js"
_SWAGGER_INIT = Path(__file__).with_name("swagger-init.js")

_SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: Swagger UI</title>
<link rel="stylesheet" href="{assets}/{css}">
</head><body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{assets}/{js}"></script>
<script src="/docs/swagger-init.js"></script>
</body></html>
"""
_REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: ReDoc</title>
</head><body>
<redoc spec-url="{openapi_url}"></redoc>
<script src="{assets}/{js}"></script>
</body></html>
"""
_MISSING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}: documentation not built</title>
</head><body><main><h1>The API documentation's files are not built on this server</h1>
<p>Developers: <code>make web</code> (or <code>make up</code>) builds them with the teacher web
app. Operators: point <code>API_GATEWAY_SERVICE_WEB_APP_DIR</code> at the built app.</p>
<p>The schema itself is at <a href="{openapi_url}">{openapi_url}</a>.</p></main></body></html>
"""


def docs_router(web_app_dir: Path, title: str, openapi_url: str) -> APIRouter:
    """GET /docs, /docs/swagger-init.js and /redoc; outside the OpenAPI schema."""
    router = APIRouter(include_in_schema=False)
    assets_dir = web_app_dir / DOCS_ASSETS_PATH.strip("/")
    fields = {
        "title": escape(title),
        "openapi_url": escape(openapi_url),
        "assets": DOCS_ASSETS_PATH,
    }

    def page(template: str, *required: str) -> HTMLResponse:
        if all((assets_dir / name).is_file() for name in required):
            html, status = template.format(**fields, css=_SWAGGER_CSS, js=required[0]), 200
        else:
            html, status = _MISSING_PAGE.format(**fields), 503
        headers = {**docs_headers(), "Cache-Control": "no-cache"}
        return HTMLResponse(html, status_code=status, headers=headers)

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        """Swagger UI over /openapi.json."""
        return page(_SWAGGER_PAGE, _SWAGGER_JS, _SWAGGER_CSS)

    @router.get("/docs/swagger-init.js")
    async def swagger_init() -> Response:
        """The script that starts Swagger UI (no inline scripts under the page's CSP)."""
        headers = {**docs_headers(), "Cache-Control": "no-cache"}
        return FileResponse(_SWAGGER_INIT, media_type="text/javascript", headers=headers)

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        """ReDoc over /openapi.json."""
        return page(_REDOC_PAGE, _REDOC_JS)

    return router
