"""Database plumbing: engines, sessions, naming convention, shared tables and migration helpers."""

from huleedu_service_libs.db.engine import (
    NAMING_CONVENTION,
    create_engine_from_settings,
    make_metadata,
    make_session_factory,
)
from huleedu_service_libs.db.tables import event_outbox, processed_events

__all__ = [
    "NAMING_CONVENTION",
    "create_engine_from_settings",
    "event_outbox",
    "make_metadata",
    "make_session_factory",
    "processed_events",
]
