"""The gateway's public API as the CLI uses it (its aiohttp implementation is
`huleedu_cli.aiohttp_gateway`)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol

JsonDict = dict[str, Any]


class NotificationSocket(Protocol):
    """One open WebSocket to the gateway's /ws."""

    async def receive(self) -> JsonDict | None:
        """The next JSON message, or None once the socket has closed."""
        ...

    async def send(self, message: JsonDict) -> None:
        """Send one JSON message (used for pong)."""
        ...

    @property
    def close_code(self) -> int | None:
        """The WebSocket close code once closed (1008: the gateway refused the ticket)."""
        ...

    @property
    def close_reason(self) -> str:
        """The close reason the gateway gave, if any."""
        ...


class GatewayApi(Protocol):
    """Everything the CLI asks of the gateway; bodies are the contract's JSON objects."""

    async def mint_dev_token(self, user_id: str) -> JsonDict:
        """`POST /v1/dev/tokens` (development only)."""
        ...

    async def register_batch(self, body: JsonDict) -> JsonDict:
        """`POST /v1/batches`."""
        ...

    async def list_batches(self, status: str | None, limit: int, offset: int) -> JsonDict:
        """`GET /v1/batches`."""
        ...

    async def get_batch(self, batch_id: str) -> JsonDict:
        """`GET /v1/batches/{batch_id}`."""
        ...

    async def get_essay(self, batch_id: str, essay_id: str) -> JsonDict:
        """`GET /v1/batches/{batch_id}/essays/{essay_id}?include_text=true`."""
        ...

    async def get_essay_text(self, batch_id: str, essay_id: str) -> JsonDict:
        """`GET /v1/batches/{batch_id}/essays/{essay_id}/text` (the original text)."""
        ...

    async def upload_files(self, batch_id: str, files: Sequence[Path]) -> JsonDict:
        """`POST /v1/batches/{batch_id}/files` with several `files` parts."""
        ...

    async def list_files(self, batch_id: str) -> JsonDict:
        """`GET /v1/batches/{batch_id}/files`."""
        ...

    async def remove_file(self, batch_id: str, file_upload_id: str) -> JsonDict:
        """`DELETE /v1/batches/{batch_id}/files/{file_upload_id}`."""
        ...

    async def run_pipeline(
        self,
        batch_id: str,
        pipeline: str,
        idempotency_key: str,
        disabled_grammar_categories: Sequence[str] = (),
    ) -> JsonDict:
        """`POST /v1/batches/{batch_id}/pipelines` with `Idempotency-Key`."""
        ...

    def notifications(
        self, last_event_id: str | None = None
    ) -> AbstractAsyncContextManager[NotificationSocket]:
        """Get a ticket (`POST /v1/ws-tickets`) and open `/ws?ticket=...[&last_event_id=...]`."""
        ...

    async def create_class(self, body: JsonDict) -> JsonDict:
        """`POST /v1/classes`."""
        ...

    async def list_classes(self, limit: int, offset: int) -> JsonDict:
        """`GET /v1/classes`."""
        ...

    async def get_class(self, class_id: str) -> JsonDict:
        """`GET /v1/classes/{class_id}` (with its roster)."""
        ...

    async def import_roster(self, class_id: str, csv_file: Path) -> JsonDict:
        """`POST /v1/classes/{class_id}/roster` with the file in the `file` part."""
        ...

    async def get_associations(self, batch_id: str) -> JsonDict:
        """`GET /v1/batches/{batch_id}/associations`."""
        ...

    async def confirm_associations(self, batch_id: str, body: JsonDict) -> JsonDict:
        """`POST /v1/batches/{batch_id}/associations/confirm`."""
        ...

    async def erase_student(self, student_id: str, essays: str) -> JsonDict:
        """DELETE /v1/students/{student_id}?essays=delete|keep (204: an empty dict)."""
        ...
