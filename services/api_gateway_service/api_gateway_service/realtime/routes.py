"""HTTP and WebSocket routes of the realtime path: ticket issuing and `/ws`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, WebSocket
from pydantic import BaseModel, Field

from api_gateway_service.auth import Principal, current_principal
from api_gateway_service.realtime.protocol import MAX_EVENT_ID_LENGTH
from api_gateway_service.realtime.sessions import SocketSessions
from api_gateway_service.realtime.tickets import MAX_TICKET_LENGTH, TicketStore
from common_core.errors import ErrorBody


class WsTicketResponse(BaseModel):
    """A single-use ticket for opening `/ws?ticket=...`."""

    ticket: str = Field(description="Opaque, single-use; pass as the `ticket` query parameter")
    expires_in: int = Field(description="Seconds the ticket stays valid if unused")


def build_router(tickets: TicketStore, sessions: SocketSessions) -> APIRouter:
    """The realtime routes bound to this process's ticket store and socket sessions."""
    router = APIRouter(tags=["realtime"])

    @router.post(
        "/v1/ws-tickets",
        status_code=201,
        response_model=WsTicketResponse,
        summary="Issue a WebSocket ticket",
        responses={
            401: {"model": ErrorBody, "description": "Missing, invalid or expired bearer token"},
            429: {"model": ErrorBody, "description": "Rate limit exceeded (Retry-After)"},
            503: {
                "model": ErrorBody,
                "description": "Ticket store (Redis) unavailable (Retry-After)",
            },
        },
    )
    async def create_ws_ticket(
        principal: Annotated[Principal, Depends(current_principal)],
    ) -> WsTicketResponse:
        """Issue a single-use ticket for `/ws`, so the JWT never appears in a URL."""
        # Redis down: the shared error handling answers 503 naming redis, with Retry-After.
        ticket = await tickets.issue(principal.user_id)
        return WsTicketResponse(ticket=ticket, expires_in=tickets.ttl_seconds)

    @router.websocket("/ws")
    async def websocket_endpoint(
        websocket: WebSocket,
        ticket: Annotated[str | None, Query(max_length=MAX_TICKET_LENGTH)] = None,
        last_event_id: Annotated[str | None, Query(max_length=MAX_EVENT_ID_LENGTH)] = None,
    ) -> None:
        """Live teacher notifications; `last_event_id` replays what followed it (api.md)."""
        await sessions.serve(websocket, ticket, last_event_id or None)

    return router
