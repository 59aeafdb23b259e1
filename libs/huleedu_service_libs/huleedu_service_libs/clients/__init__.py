"""HTTP clients of other HuleEdu services' internal APIs."""

from huleedu_service_libs.clients.content_service import (
    ContentNotFoundError,
    ContentServiceClient,
    ContentServiceUnavailable,
)

__all__ = ["ContentNotFoundError", "ContentServiceClient", "ContentServiceUnavailable"]
