"""Content Service domain: content ids, the repository ports and the use cases."""

from content_service.domain.content import (
    ContentNotFound,
    ContentRepository,
    ContentTooLarge,
    EmptyContent,
    FetchContent,
    InvalidReference,
    Provenance,
    SourceNotFound,
    StoreContent,
    StoredContent,
    StoreResult,
    content_id_for,
)
from content_service.domain.erasure import (
    ContentErasureRepository,
    EraseContent,
    ErasureResult,
    Redact,
    redactor,
)

__all__ = [
    "ContentErasureRepository",
    "ContentNotFound",
    "ContentRepository",
    "ContentTooLarge",
    "EmptyContent",
    "EraseContent",
    "ErasureResult",
    "FetchContent",
    "InvalidReference",
    "Provenance",
    "Redact",
    "SourceNotFound",
    "StoreContent",
    "StoreResult",
    "StoredContent",
    "content_id_for",
    "redactor",
]
