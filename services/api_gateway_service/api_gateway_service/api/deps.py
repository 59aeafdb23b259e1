"""What routes need: the caller of the request (FastAPI) and the clients (the DI container)."""

from __future__ import annotations

from typing import Annotated

from dishka.integrations.fastapi import FromDishka
from fastapi import Depends

from api_gateway_service.adapters.class_management import ClassManagementClient
from api_gateway_service.adapters.services import (
    BatchOrchestratorClient,
    FileServiceClient,
    ResultAggregatorClient,
)
from api_gateway_service.auth import Principal, current_principal
from api_gateway_service.config import GatewaySettings
from api_gateway_service.domain.caller import Caller
from api_gateway_service.domain.pipeline_requests import RequestPipeline
from huleedu_service_libs.correlation import get_correlation_id, new_correlation_id, set_user_id

__all__ = [
    "Bos",
    "Classes",
    "CurrentCaller",
    "CurrentPrincipal",
    "Files",
    "PipelineRequests",
    "Results",
    "Settings",
    "caller_of",
]


async def caller_of(principal: Annotated[Principal, Depends(current_principal)]) -> Caller:
    """The verified user and this request's correlation id, for downstream calls."""
    # Logs of this request name the verified user, never a client-sent X-User-ID.
    set_user_id(principal.user_id)
    return Caller(principal.user_id, get_correlation_id() or new_correlation_id())


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentCaller = Annotated[Caller, Depends(caller_of)]
# Resolved from the app's container (di.py) in endpoints declared on a RouteTable.
Bos = FromDishka[BatchOrchestratorClient]
Files = FromDishka[FileServiceClient]
Results = FromDishka[ResultAggregatorClient]
Classes = FromDishka[ClassManagementClient]
PipelineRequests = FromDishka[RequestPipeline]
Settings = FromDishka[GatewaySettings]
