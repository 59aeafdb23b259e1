"""HTTP plumbing for Quart services and the FastAPI gateway: errors, ids, metrics, health."""

from huleedu_service_libs.http._serve import serve_asgi
from huleedu_service_libs.http._shared import check_internal_api_key
from huleedu_service_libs.http.content_disposition import (
    ContentDisposition,
    DispositionError,
    parse_content_disposition,
)
from huleedu_service_libs.http.fastapi_support import (
    CorrelationIdMiddleware,
    PrometheusMiddleware,
    install_fastapi_support,
    operator_router,
    register_exception_handlers,
)
from huleedu_service_libs.http.multipart import (
    FormPart,
    FormPartsDecoder,
    MalformedMultipart,
    parse_form_parts,
    read_form_parts,
)
from huleedu_service_libs.http.quart_support import (
    LifecycleHook,
    create_quart_app,
    install_quart_support,
    register_error_handlers,
    require_internal_api_key,
    serve_quart,
)

__all__ = [
    "ContentDisposition",
    "CorrelationIdMiddleware",
    "DispositionError",
    "FormPart",
    "FormPartsDecoder",
    "LifecycleHook",
    "MalformedMultipart",
    "PrometheusMiddleware",
    "check_internal_api_key",
    "create_quart_app",
    "install_fastapi_support",
    "install_quart_support",
    "operator_router",
    "parse_content_disposition",
    "parse_form_parts",
    "read_form_parts",
    "register_error_handlers",
    "register_exception_handlers",
    "require_internal_api_key",
    "serve_asgi",
    "serve_quart",
]
