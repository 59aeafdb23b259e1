"""SQLAlchemy unit of work: rows, audit records, inbox row and outbox events in one transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from class_management_service.adapters.association_repository import (
    PostgresAssociations,
    PostgresClassBatches,
)
from class_management_service.adapters.audit_repository import PostgresAuditLog
from class_management_service.adapters.class_repository import PostgresClasses
from class_management_service.adapters.pii import PiiCipher
from class_management_service.adapters.student_repository import PostgresStudents
from class_management_service.domain.associations.ports import (
    AssociationRepository,
    ClassBatchRepository,
)
from class_management_service.domain.ports import AuditLog, ClassRepository, StudentRepository
from huleedu_service_libs.db import SqlAlchemyUnitOfWork as BaseUnitOfWork


class SqlAlchemyUnitOfWork(BaseUnitOfWork):
    """Every repository of the service over one session and transaction."""

    classes: ClassRepository
    students: StudentRepository
    audit: AuditLog
    class_batches: ClassBatchRepository
    associations: AssociationRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: PiiCipher) -> None:
        # Repositories encrypt and decrypt at the boundary: the domain sees plaintext, the
        # database only ciphertext and keyed hashes.
        self._cipher = cipher
        super().__init__(sessions)

    def _bind_repositories(self, session: AsyncSession) -> None:
        self.classes = PostgresClasses(session)
        self.students = PostgresStudents(session, self._cipher)
        self.audit = PostgresAuditLog(session)
        self.class_batches = PostgresClassBatches(session)
        self.associations = PostgresAssociations(session, self._cipher)
