"""Essay authors of a class batch: the teacher reads the suggestions and confirms or corrects."""

from __future__ import annotations

from dishka import FromDishka
from quart import Blueprint, Response, request

from class_management_service.api.common import actor, json_response
from class_management_service.api.errors import domain_errors
from class_management_service.domain.associations.confirmation import AssociationService
from common_core.class_api import AssociationsConfirmV1

associations_bp = Blueprint("associations", __name__, url_prefix="/internal/v1/batches")


@associations_bp.get("/<batch_id>/associations")
@domain_errors
async def list_associations(batch_id: str, service: FromDishka[AssociationService]) -> Response:
    """The batch's essays with parsed headers and (suggested) authors: BatchAssociationsV1."""
    return json_response(await service.list_associations(actor(), batch_id))


@associations_bp.post("/<batch_id>/associations/confirm")
@domain_errors
async def confirm_associations(batch_id: str, service: FromDishka[AssociationService]) -> Response:
    """Confirm or correct essay authors (AssociationsConfirmV1); answers BatchAssociationsV1."""
    who = actor()
    body = AssociationsConfirmV1.model_validate(await request.get_json(silent=True))
    return json_response(await service.confirm(who, batch_id, body))
