"""Composition root: Dishka providers for the Class Management Service's HTTP process."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from class_management_service.adapters import metrics
from class_management_service.adapters.pii import PiiCipher
from class_management_service.adapters.pii_cache import PiiPlaintextCache
from class_management_service.adapters.roster_reads import PostgresRosterReads
from class_management_service.adapters.unit_of_work import SqlAlchemyUnitOfWork
from class_management_service.config import ClassManagementSettings
from class_management_service.domain.associations.confirmation import AssociationService
from class_management_service.domain.ports import AuditedRosterReads, UnitOfWorkFactory
from class_management_service.domain.roster.classes import ClassService
from class_management_service.domain.roster.rosters import RosterReadService, RosterService
from class_management_service.domain.roster.students import StudentService
from huleedu_service_libs.crypto import KeyRing
from huleedu_service_libs.db import make_session_factory


def make_cipher(settings: ClassManagementSettings) -> PiiCipher:
    """The PII cipher configured from settings (keys newest first)."""
    return PiiCipher(settings.pii_encryption_keys, settings.pii_hash_key)


def make_uow_factory(
    sessions: async_sessionmaker[AsyncSession], cipher: PiiCipher
) -> UnitOfWorkFactory:
    """A fresh unit of work per call (one transaction per use case)."""
    return lambda: SqlAlchemyUnitOfWork(sessions, cipher)


class ClassManagementProvider(Provider):
    """Settings, cipher, sessions and the (stateless) use cases, once per process."""

    def __init__(self, settings: ClassManagementSettings, engine: AsyncEngine) -> None:
        super().__init__()
        self._settings = settings
        self._engine = engine

    @provide(scope=Scope.APP)
    def settings(self) -> ClassManagementSettings:
        """The validated settings."""
        return self._settings

    @provide(scope=Scope.APP)
    def cipher(self) -> PiiCipher:
        """Encrypts and hashes student PII (built once: key parsing is not free)."""
        return make_cipher(self._settings)

    @provide(scope=Scope.APP)
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Session factory over the service's engine."""
        return make_session_factory(self._engine)

    @provide(scope=Scope.APP)
    def uow_factory(
        self, sessions: async_sessionmaker[AsyncSession], cipher: PiiCipher
    ) -> UnitOfWorkFactory:
        """Units of work over the engine, with the cipher for the repositories."""
        return make_uow_factory(sessions, cipher)

    @provide(scope=Scope.APP)
    def roster_reads(self, cipher: PiiCipher) -> AuditedRosterReads:
        """The audited roster read, with the process's cache of decrypted names and emails."""
        plaintexts = PiiPlaintextCache(
            cipher,
            max_students=self._settings.roster_pii_cache_students,
            max_age_seconds=self._settings.roster_pii_cache_seconds,
        )
        return PostgresRosterReads(self._engine, plaintexts)

    @provide(scope=Scope.APP)
    def roster_read_service(self, roster_reads: AuditedRosterReads) -> RosterReadService:
        """The roster read use case."""
        return RosterReadService(roster_reads)

    @provide(scope=Scope.APP)
    def class_service(self, uow_factory: UnitOfWorkFactory) -> ClassService:
        """Courses and classes."""
        return ClassService(uow_factory, self._settings.service_name)

    @provide(scope=Scope.APP)
    def roster_service(self, uow_factory: UnitOfWorkFactory) -> RosterService:
        """Roster reads, enrolment and CSV import."""
        return RosterService(
            uow_factory,
            self._settings.service_name,
            max_rows=self._settings.roster_import_max_rows,
            record=metrics.record,
        )

    @provide(scope=Scope.APP)
    def student_service(self, uow_factory: UnitOfWorkFactory) -> StudentService:
        """Students, erasure (sealing redaction terms with the event PII key) and export."""
        return StudentService(
            uow_factory, self._settings.service_name, KeyRing(self._settings.event_pii_keys)
        )

    @provide(scope=Scope.APP)
    def association_service(self, uow_factory: UnitOfWorkFactory) -> AssociationService:
        """Lists and confirms a class batch's essay authors (the teacher's side of matching)."""
        return AssociationService(
            uow_factory, source_service=self._settings.service_name, record=metrics.record
        )


def make_container(settings: ClassManagementSettings, engine: AsyncEngine) -> AsyncContainer:
    """The HTTP process's container: the roster side and author matching's service."""
    return make_async_container(ClassManagementProvider(settings, engine))
