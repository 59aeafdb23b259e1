"""The aiohttp implementation of the gateway API the CLI uses (`huleedu_cli.api.GatewayApi`)."""

from __future__ import annotations

import asyncio
import json
import mimetypes
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp
from yarl import URL

from huleedu_cli.api import JsonDict, NotificationSocket
from huleedu_cli.errors import CliError, GatewayUnreachable, UsageError, api_error_from_response

# Types the gateway accepts but mimetypes may not know on a minimal system.
_CONTENT_TYPES = {
    ".md": "text/markdown",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".rtf": "application/rtf",
}


class _AiohttpSocket:
    """NotificationSocket over an aiohttp WebSocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._reason = ""

    @property
    def close_code(self) -> int | None:
        """The WebSocket close code once closed."""
        return self._ws.close_code

    @property
    def close_reason(self) -> str:
        """The close reason the gateway gave, if any."""
        return self._reason

    async def receive(self) -> JsonDict | None:
        """The next JSON object message, or None once the socket has closed."""
        while True:
            msg = await self._ws.receive()
            if msg.type == aiohttp.WSMsgType.TEXT:
                data = json.loads(msg.data)
                if isinstance(data, dict):
                    return data
                continue  # not a message of ours; ignore rather than die mid-watch
            if msg.type == aiohttp.WSMsgType.BINARY:
                continue
            if msg.type == aiohttp.WSMsgType.CLOSE and isinstance(msg.extra, str):
                self._reason = msg.extra
            return None  # CLOSE, CLOSING, CLOSED or ERROR

    async def send(self, message: JsonDict) -> None:
        """Send one JSON message."""
        await self._ws.send_json(message)


class AiohttpGateway:
    """GatewayApi over one aiohttp session; use as `async with AiohttpGateway(...) as api`."""

    def __init__(self, api_url: str, token: str | None, request_timeout_s: float = 120.0) -> None:
        try:
            self._base = URL(api_url.rstrip("/"))
        except ValueError as exc:
            raise UsageError(f"Invalid --api-url {api_url!r}: {exc}") from exc
        if self._base.scheme not in ("http", "https") or not self._base.host:
            raise UsageError(f"Invalid --api-url {api_url!r}: expected http(s)://host[:port]")
        self._api_url = api_url
        self._token = token
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=10, sock_read=request_timeout_s
        )
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> AiohttpGateway:
        """Open the session."""
        self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the session."""
        if self._session is not None:
            await self._session.close()

    # -- the API -------------------------------------------------------------------------

    async def mint_dev_token(self, user_id: str) -> JsonDict:
        """`POST /v1/dev/tokens` (development only)."""
        return await self._request("POST", "/v1/dev/tokens", json={"user_id": user_id}, auth=False)

    async def register_batch(self, body: JsonDict) -> JsonDict:
        """`POST /v1/batches`."""
        return await self._request("POST", "/v1/batches", json=body)

    async def list_batches(self, status: str | None, limit: int, offset: int) -> JsonDict:
        """`GET /v1/batches`."""
        params = {"limit": str(limit), "offset": str(offset)}
        if status:
            params["status"] = status
        return await self._request("GET", "/v1/batches", params=params)

    async def get_batch(self, batch_id: str) -> JsonDict:
        """`GET /v1/batches/{batch_id}`."""
        return await self._request("GET", f"/v1/batches/{batch_id}")

    async def get_essay(self, batch_id: str, essay_id: str) -> JsonDict:
        """`GET /v1/batches/{batch_id}/essays/{essay_id}?include_text=true`."""
        return await self._request(
            "GET", f"/v1/batches/{batch_id}/essays/{essay_id}", params={"include_text": "true"}
        )

    async def get_essay_text(self, batch_id: str, essay_id: str) -> JsonDict:
        """`GET /v1/batches/{batch_id}/essays/{essay_id}/text` (the original text)."""
        return await self._request("GET", f"/v1/batches/{batch_id}/essays/{essay_id}/text")

    async def upload_files(self, batch_id: str, files: Sequence[Path]) -> JsonDict:
        """`POST /v1/batches/{batch_id}/files` with several `files` parts."""
        form = aiohttp.FormData()
        for path in files:
            content = await asyncio.to_thread(path.read_bytes)
            form.add_field("files", content, filename=path.name, content_type=_content_type(path))
        return await self._request("POST", f"/v1/batches/{batch_id}/files", data=form)

    async def list_files(self, batch_id: str) -> JsonDict:
        """`GET /v1/batches/{batch_id}/files`."""
        return await self._request("GET", f"/v1/batches/{batch_id}/files")

    async def remove_file(self, batch_id: str, file_upload_id: str) -> JsonDict:
        """`DELETE /v1/batches/{batch_id}/files/{file_upload_id}`."""
        return await self._request("DELETE", f"/v1/batches/{batch_id}/files/{file_upload_id}")

    async def run_pipeline(
        self,
        batch_id: str,
        pipeline: str,
        idempotency_key: str,
        disabled_grammar_categories: Sequence[str] = (),
    ) -> JsonDict:
        """`POST /v1/batches/{batch_id}/pipelines` with `Idempotency-Key`."""
        body: JsonDict = {"pipeline": pipeline}
        if disabled_grammar_categories:
            body["disabled_grammar_categories"] = list(disabled_grammar_categories)
        return await self._request(
            "POST",
            f"/v1/batches/{batch_id}/pipelines",
            json=body,
            extra_headers={"Idempotency-Key": idempotency_key},
        )

    async def create_class(self, body: JsonDict) -> JsonDict:
        """`POST /v1/classes`."""
        return await self._request("POST", "/v1/classes", json=body)

    async def list_classes(self, limit: int, offset: int) -> JsonDict:
        """`GET /v1/classes`."""
        params = {"limit": str(limit), "offset": str(offset)}
        return await self._request("GET", "/v1/classes", params=params)

    async def get_class(self, class_id: str) -> JsonDict:
        """`GET /v1/classes/{class_id}` (with its roster)."""
        return await self._request("GET", f"/v1/classes/{class_id}")

    async def import_roster(self, class_id: str, csv_file: Path) -> JsonDict:
        """`POST /v1/classes/{class_id}/roster` with the file in the `file` part."""
        form = aiohttp.FormData(quote_fields=False)  # the filename as it is, not %-encoded
        content = await asyncio.to_thread(csv_file.read_bytes)
        # The bytes go as they are: the service reads UTF-8 and cp1252 (Excel) alike.
        form.add_field("file", content, filename=csv_file.name, content_type="text/csv")
        return await self._request("POST", f"/v1/classes/{class_id}/roster", data=form)

    async def get_associations(self, batch_id: str) -> JsonDict:
        """`GET /v1/batches/{batch_id}/associations`."""
        return await self._request("GET", f"/v1/batches/{batch_id}/associations")

    async def confirm_associations(self, batch_id: str, body: JsonDict) -> JsonDict:
        """`POST /v1/batches/{batch_id}/associations/confirm`."""
        path = f"/v1/batches/{batch_id}/associations/confirm"
        return await self._request("POST", path, json=body)

    async def erase_student(self, student_id: str, essays: str) -> JsonDict:
        """DELETE /v1/students/{student_id}?essays=delete|keep (204: an empty dict)."""
        return await self._request(
            "DELETE", f"/v1/students/{student_id}", params={"essays": essays}
        )

    @asynccontextmanager
    async def notifications(
        self, last_event_id: str | None = None
    ) -> AsyncIterator[NotificationSocket]:
        """Get a ticket (`POST /v1/ws-tickets`) and open `/ws?ticket=...[&last_event_id=...]`."""
        ticket = await self._request("POST", "/v1/ws-tickets")
        query = {"ticket": str(ticket["ticket"])}
        if last_event_id:
            # The gateway replays what followed it before `ready`.
            query["last_event_id"] = last_event_id
        ws_url = self._ws_url().with_query(query)
        try:
            async with self._require_session().ws_connect(ws_url, heartbeat=None) as ws:
                yield _AiohttpSocket(ws)
        except aiohttp.WSServerHandshakeError as exc:
            raise CliError(
                code="UNAUTHORIZED" if exc.status in (401, 403) else "EXTERNAL_SERVICE_ERROR",
                message=f"The gateway refused the WebSocket (HTTP {exc.status})",
                status=exc.status,
            ) from exc
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            raise GatewayUnreachable(self._api_url, str(exc) or type(exc).__name__) from exc

    # -- plumbing ------------------------------------------------------------------------

    def _require_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("AiohttpGateway used outside `async with`")
        return self._session

    def _ws_url(self) -> URL:
        scheme = "wss" if self._base.scheme == "https" else "ws"
        return self._base.with_scheme(scheme).with_path(self._base.path.rstrip("/") + "/ws")

    def _headers(self, auth: bool) -> dict[str, str]:
        # A correlation id per request lets the teacher quote it and the logs find it.
        headers = {"X-Correlation-ID": str(uuid.uuid4()), "Accept": "application/json"}
        if auth:
            if not self._token:
                raise CliError(
                    code="UNAUTHORIZED", message="No token", details={"reason": "no token"}
                )
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    async def _request(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        extra_headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> JsonDict:
        headers = self._headers(auth) | (extra_headers or {})
        url = self._base.with_path(self._base.path.rstrip("/") + path)
        try:
            async with self._require_session().request(
                method, url, headers=headers, **kwargs
            ) as response:
                raw = await response.read()
                payload = _decode(raw)
                if response.status >= 400:
                    raise api_error_from_response(
                        response.status,
                        payload,
                        response.headers.get("Retry-After"),
                        response.headers.get("X-Correlation-ID") or headers["X-Correlation-ID"],
                    )
                if not isinstance(payload, dict):
                    return {} if not raw else {"data": payload}
                return payload
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            raise GatewayUnreachable(self._api_url, str(exc) or type(exc).__name__) from exc


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _content_type(path: Path) -> str:
    known = _CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"
