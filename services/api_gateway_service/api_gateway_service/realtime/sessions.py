"""The `/ws` session: authenticate, attach to the hub, heartbeat, and close with a clear code."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from redis.exceptions import RedisError
from starlette.websockets import WebSocket, WebSocketState

from api_gateway_service.auth import AuthError, TokenVerifier
from api_gateway_service.config import GatewaySettings
from api_gateway_service.realtime import metrics
from api_gateway_service.realtime.connection import ClientConnection
from api_gateway_service.realtime.hub import NotificationHub, TooManyConnectionsError
from api_gateway_service.realtime.protocol import (
    CLOSE_GOING_AWAY,
    CLOSE_INTERNAL_ERROR,
    CLOSE_POLICY_VIOLATION,
    CLOSE_TOO_MANY_CONNECTIONS,
    parse_client_message,
    ping_message,
    pong_message,
    resume_position,
)
from api_gateway_service.realtime.tickets import TicketStore
from huleedu_service_libs.correlation import get_correlation_id, set_user_id

logger = structlog.get_logger(__name__)

# How long a socket may wait for Redis to confirm its user's subscription before giving up.
READY_TIMEOUT_SECONDS = 10.0


class _AuthFailed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class SocketSessions:
    """Runs every socket of this process and can close them all on shutdown."""

    def __init__(
        self,
        settings: GatewaySettings,
        verifier: TokenVerifier,
        tickets: TicketStore,
        hub: NotificationHub,
    ) -> None:
        self._settings = settings
        self._verifier = verifier
        self._tickets = tickets
        self._hub = hub
        self._open: set[ClientConnection] = set()

    async def close_all(self) -> None:
        """Ask every open socket to close with 1001 (going away)."""
        for connection in list(self._open):
            connection.request_close(CLOSE_GOING_AWAY, "server shutting down")

    async def serve(
        self, websocket: WebSocket, ticket: str | None, last_event_id: str | None = None
    ) -> None:
        """Handle one WebSocket from accept to close (replaying after `last_event_id`)."""
        await websocket.accept()
        try:
            user_id, resume_from = await self._authenticate(websocket, ticket)
        except _AuthFailed as failed:
            metrics.SOCKETS_CLOSED.labels("auth_failed").inc()
            logger.info("websocket auth failed", reason=failed.reason)
            await _close_quietly(websocket, failed.code, failed.reason)
            return
        except _ClientLeft:
            return
        set_user_id(user_id)
        connection = ClientConnection(
            websocket,
            user_id,
            queue_size=self._settings.ws_send_queue_size,
            correlation_id=get_correlation_id() or "",
        )
        try:
            await self._hub.attach(connection, resume_from=resume_from or last_event_id)
        except TooManyConnectionsError:
            metrics.SOCKETS_CLOSED.labels("too_many_connections").inc()
            logger.info("websocket refused: too many connections", user_id=user_id)
            await _close_quietly(websocket, CLOSE_TOO_MANY_CONNECTIONS, "too many connections")
            return
        self._open.add(connection)
        connection.start()
        logger.info(
            "websocket connected", user_id=user_id, last_event_id=resume_from or last_event_id
        )
        try:
            await self._run(websocket, connection)
        finally:
            self._open.discard(connection)
            await self._hub.detach(connection)
            await connection.shutdown()
            logger.info("websocket closed", user_id=user_id, code=connection.close_code or "client")

    async def _authenticate(
        self, websocket: WebSocket, ticket: str | None
    ) -> tuple[str, str | None]:
        """The socket's user, and the last event id an auth message carried."""
        if ticket is not None:
            try:
                user_id = await self._tickets.consume(ticket)
            except (RedisError, OSError) as exc:
                raise _AuthFailed(CLOSE_INTERNAL_ERROR, "ticket store unavailable") from exc
            if user_id is None:
                raise _AuthFailed(CLOSE_POLICY_VIOLATION, "invalid or expired ticket")
            return user_id, None
        try:
            async with asyncio.timeout(self._settings.ws_auth_timeout_seconds):
                text = await _receive_text(websocket)
        except TimeoutError:
            raise _AuthFailed(CLOSE_POLICY_VIOLATION, "authentication timeout") from None
        message = parse_client_message(text or "") or {}
        token = message.get("token") if message.get("type") == "auth" else None
        if not isinstance(token, str):
            raise _AuthFailed(CLOSE_POLICY_VIOLATION, "first message must be auth")
        try:
            principal = await self._verifier.verify(token)
        except AuthError as exc:
            raise _AuthFailed(CLOSE_POLICY_VIOLATION, exc.message) from exc
        return principal.user_id, resume_position(message.get("last_event_id"))

    async def _run(self, websocket: WebSocket, connection: ClientConnection) -> None:
        received = asyncio.Event()
        ready_guard = asyncio.create_task(_guard_ready(connection))
        tasks = [
            asyncio.create_task(self._receive_loop(websocket, connection, received)),
            asyncio.create_task(self._heartbeat(connection, received)),
            ready_guard,
            asyncio.create_task(connection.closed.wait()),
        ]
        try:
            # The ready guard finishing is no reason to end; anything else is.
            pending = set(tasks)
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                if any(task is not ready_guard for task in done):
                    break
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _receive_loop(
        self, websocket: WebSocket, connection: ClientConnection, received: asyncio.Event
    ) -> None:
        while True:
            try:
                text = await _receive_text(websocket)
            except _ClientLeft:
                return
            received.set()
            message = parse_client_message(text or "")
            kind = message.get("type") if message else None
            if kind == "ping":
                if not connection.offer(pong_message()):
                    connection.close_slow()
            elif kind == "resume" and message is not None:
                self._resume(connection, message)
            elif kind != "pong":
                logger.debug("client message ignored", user_id=connection.user_id, kind=kind)

    def _resume(self, connection: ClientConnection, message: dict[str, object]) -> None:
        event_id = resume_position(message.get("last_event_id"))
        if event_id is None:
            logger.info("resume without a usable last_event_id ignored", user_id=connection.user_id)
            return
        self._hub.resume(connection, event_id)

    async def _heartbeat(self, connection: ClientConnection, received: asyncio.Event) -> None:
        interval = self._settings.ws_heartbeat_interval_seconds
        timeout = self._settings.ws_heartbeat_timeout_seconds
        while True:
            await asyncio.sleep(interval)
            received.clear()
            if not connection.offer(ping_message()):
                connection.close_slow()
                return
            try:
                await asyncio.wait_for(received.wait(), timeout)
            except TimeoutError:
                if connection.request_close(CLOSE_INTERNAL_ERROR, "heartbeat timeout"):
                    metrics.SOCKETS_CLOSED.labels("heartbeat_timeout").inc()
                    logger.info("websocket heartbeat timeout", user_id=connection.user_id)
                return


class _ClientLeft(Exception):
    """The client disconnected."""


async def _receive_text(websocket: WebSocket) -> str | None:
    """The next data frame as text (None for binary); raises _ClientLeft on disconnect."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise _ClientLeft
    text = message.get("text")
    return text if isinstance(text, str) else None


async def _guard_ready(connection: ClientConnection) -> None:
    try:
        await asyncio.wait_for(connection.ready.wait(), READY_TIMEOUT_SECONDS)
    except TimeoutError:
        if connection.request_close(CLOSE_INTERNAL_ERROR, "subscription not confirmed"):
            metrics.SOCKETS_CLOSED.labels("not_ready").inc()
            logger.warning("websocket subscription not confirmed", user_id=connection.user_id)


async def _close_quietly(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.application_state is WebSocketState.DISCONNECTED:
        return
    with contextlib.suppress(Exception):
        await websocket.close(code, reason)
