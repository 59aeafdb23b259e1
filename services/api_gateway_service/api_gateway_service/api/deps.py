"""What routes need: the downstream clients, the publisher and the caller of the request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from api_gateway_service.adapters.class_management import ClassManagementClient
from api_gateway_service.adapters.downstream import Caller
from api_gateway_service.adapters.services import (
    BatchOrchestratorClient,
    FileServiceClient,
    ResultAggregatorClient,
)
from api_gateway_service.auth import Principal, current_principal
from api_gateway_service.domain.pipeline_requests import PipelinePublisher
from huleedu_service_libs.correlation import get_correlation_id, new_correlation_id, set_user_id

__all__ = ["Backends", "CurrentCaller", "CurrentPrincipal", "backends", "caller_of"]


@dataclass(frozen=True)
class Backends:
    """The clients the lifespan created, kept on app.state.backends."""

    bos: BatchOrchestratorClient
    files: FileServiceClient
    results: ResultAggregatorClient
    classes: ClassManagementClient
    publisher: PipelinePublisher


def backends(request: Request) -> Backends:
    """The app's downstream clients."""
    found: Backends = request.app.state.backends
    return found


async def caller_of(principal: Annotated[Principal, Depends(current_principal)]) -> Caller:
    """The verified user and this request's correlation id, for downstream calls."""
    # Logs of this request name the verified user, never a client-sent X-User-ID.
    set_user_id(principal.user_id)
    return Caller(principal.user_id, get_correlation_id() or new_correlation_id())


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentCaller = Annotated[Caller, Depends(caller_of)]
Services = Annotated[Backends, Depends(backends)]
