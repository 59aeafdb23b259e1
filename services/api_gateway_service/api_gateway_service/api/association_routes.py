"""Who wrote each essay of a class batch: Class Management's suggestions and their confirmation."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api_gateway_service.api.deps import Classes, CurrentCaller
from api_gateway_service.api.docs import error_responses
from api_gateway_service.api.params import BatchId
from api_gateway_service.api.routing import RouteTable
from api_gateway_service.rate_limit import RouteLimits
from common_core.class_api import AssociationsConfirmV1, BatchAssociationsV1

__all__ = ["association_router"]


routes = RouteTable("/v1/batches/{batch_id}/associations", ["associations"])


@routes.get(
    "",
    limit="read",
    response_model=BatchAssociationsV1,
    responses=error_responses(401, 404, 422),
    summary="Read a class batch's essay authors",
)
async def get_associations(
    request: Request, batch_id: BatchId, caller: CurrentCaller, classes: Classes
) -> BatchAssociationsV1:
    """Each essay's suggested or confirmed author, and whether the batch may proceed."""
    return await classes.associations(caller, batch_id)


@routes.post(
    "/confirm",
    limit="write",
    response_model=BatchAssociationsV1,
    responses=error_responses(400, 401, 404, 409, 422),
    summary="Confirm essay authors",
)
async def confirm_associations(
    request: Request,
    batch_id: BatchId,
    body: AssociationsConfirmV1,
    caller: CurrentCaller,
    classes: Classes,
) -> BatchAssociationsV1:
    """Set the listed essays' authors; accept_suggestions confirms the other suggestions."""
    return await classes.confirm_associations(caller, batch_id, body)


def association_router(limits: RouteLimits) -> APIRouter:
    """Routes under /v1/batches/{batch_id}/associations."""
    return routes.router(limits)
