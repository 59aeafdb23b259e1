"""Content Service domain: content ids, the repository port and the use cases."""

from content_service.domain.content import (
    ContentNotFound,
    ContentRepository,
    ContentTooLarge,
    EmptyContent,
    FetchContent,
    StoreContent,
    StoredContent,
    StoreResult,
    content_id_for,
)

__all__ = [
    "ContentNotFound",
    "ContentRepository",
    "ContentTooLarge",
    "EmptyContent",
    "FetchContent",
    "StoreContent",
    "StoreResult",
    "StoredContent",
    "content_id_for",
]
