"""Dishka provider of author matching's request-scoped service (included by di.py)."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from class_management_service.config import ClassManagementSettings
from class_management_service.domain.associations.confirmation import AssociationService
from class_management_service.domain.ports import UnitOfWorkFactory


class AssociationProvider(Provider):
    """The association service per request, over the app's unit of work factory."""

    @provide(scope=Scope.REQUEST)
    def association_service(
        self, uow_factory: UnitOfWorkFactory, settings: ClassManagementSettings
    ) -> AssociationService:
        """Lists and confirms a class batch's essay authors."""
        return AssociationService(uow_factory, source_service=settings.service_name)
