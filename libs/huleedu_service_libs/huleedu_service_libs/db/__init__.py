"""Database plumbing: engines, sessions, naming, shared tables, unit of work, key rotation."""

from huleedu_service_libs.db.engine import (
    NAMING_CONVENTION,
    create_engine_from_settings,
    make_metadata,
    make_session_factory,
)
from huleedu_service_libs.db.metrics import instrument_engine
from huleedu_service_libs.db.reencrypt import (
    EncryptedColumns,
    ReencryptionReport,
    RowHook,
    reencrypt_table,
)
from huleedu_service_libs.db.tables import event_outbox, processed_events
from huleedu_service_libs.db.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "NAMING_CONVENTION",
    "EncryptedColumns",
    "ReencryptionReport",
    "RowHook",
    "SqlAlchemyUnitOfWork",
    "create_engine_from_settings",
    "event_outbox",
    "instrument_engine",
    "make_metadata",
    "make_session_factory",
    "processed_events",
    "reencrypt_table",
]
