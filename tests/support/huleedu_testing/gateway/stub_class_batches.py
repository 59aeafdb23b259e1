"""Class Management's essay-author routes for the gateway's tests (part of its contract stub)."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from common_core.class_api import BatchAssociationsV1, EssayAssociationV1
from common_core.enums import AssociationMethod, AssociationStatus
from common_core.errors import ErrorCode
from huleedu_testing.gateway.stub_downstreams import NOW, ContractStub

_BASE = "/internal/v1/batches/{batch_id}/associations"


@dataclass
class StubClassBatch:
    """A class batch's essays with their suggested authors and the teacher's decisions."""

    user_id: str
    class_id: str
    suggestions: dict[str, str | None] = field(default_factory=dict)  # essay -> student
    confirmed: dict[str, str] = field(default_factory=dict)


def _row(batch_id: str, essay_id: str, batch: StubClassBatch) -> EssayAssociationV1:
    suggested = batch.suggestions[essay_id]
    decided = batch.confirmed.get(essay_id)
    return EssayAssociationV1(
        batch_id=batch_id,
        essay_id=essay_id,
        suggested_student_id=suggested,
        student_id=decided or suggested,
        confidence=0.9 if suggested else 0.0,
        method=AssociationMethod.TEACHER if decided else AssociationMethod.NAME_MATCH,
        status=AssociationStatus.CONFIRMED if decided else AssociationStatus.PENDING_VALIDATION,
        updated_at=NOW,
    )


class ClassBatchRoutes:
    """GET .../associations and POST .../associations/confirm over `batches`."""

    def __init__(self, stub: ContractStub) -> None:
        self._stub = stub
        self.batches: dict[str, StubClassBatch] = {}

    def add_routes(self, app: web.Application) -> None:
        """Register both routes on the stub's app."""
        app.router.add_get(_BASE, self._get)
        app.router.add_post(_BASE + "/confirm", self._confirm)

    def view(self, batch_id: str) -> BatchAssociationsV1:
        """The batch's associations as Class Management answers them."""
        batch = self.batches[batch_id]
        done = len(batch.confirmed) == len(batch.suggestions)
        return BatchAssociationsV1(
            batch_id=batch_id,
            class_id=batch.class_id,
            status="confirmed" if done else "pending_validation",
            associations=[_row(batch_id, essay_id, batch) for essay_id in batch.suggestions],
            suggested_at=NOW,
            confirmed_at=NOW if done else None,
        )

    async def _owned(self, request: web.Request) -> str | None:
        user_id = await self._stub.record(request)
        batch_id = request.match_info["batch_id"]
        batch = self.batches.get(batch_id)
        return batch_id if batch is not None and batch.user_id == user_id else None

    async def _get(self, request: web.Request) -> web.Response:
        batch_id = await self._owned(request)
        if batch_id is None:
            return self._stub.not_found(request, request.match_info["batch_id"])
        return web.json_response(self.view(batch_id).model_dump(mode="json"))

    async def _confirm(self, request: web.Request) -> web.Response:
        batch_id = await self._owned(request)
        if batch_id is None:
            return self._stub.not_found(request, request.match_info["batch_id"])
        batch = self.batches[batch_id]
        body = await request.json()
        for item in body.get("confirmations", []):
            if item["essay_id"] not in batch.suggestions:
                return self._stub.error(
                    request, ErrorCode.ESSAY_NOT_FOUND, "Essay not found.", **item
                )
            batch.confirmed[item["essay_id"]] = item["student_id"]
        if body.get("accept_suggestions"):
            for essay_id, suggested in batch.suggestions.items():
                if suggested is not None:
                    batch.confirmed.setdefault(essay_id, suggested)
        return web.json_response(self.view(batch_id).model_dump(mode="json"))
