"""Erasure in the Grammar Service as a kernel step: results go with `delete`, once per event
id; nothing changes with `keep`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self
from uuid import UUID

from sqlalchemy.ext.asyncio import create_async_engine

from common_core.enums import EssayErasureMode
from common_core.envelope import EventEnvelope
from common_core.events import ErasedEssay, StudentErasureRequestedV1
from grammar_service.config import GrammarSettings
from grammar_service.di import CONSUMER_NAME, make_erasure_runner
from grammar_service.domain.erasure import erase_results
from huleedu_service_libs.config import Environment
from huleedu_service_libs.consumer import EventFactory, StepRunner


class Results:
    def __init__(self) -> None:
        self.deleted: list[tuple[str, str]] = []

    async def delete(self, essays: Sequence[tuple[str, str]]) -> int:
        self.deleted.extend(essays)
        return len(essays)


class FakeErasureUnitOfWork:
    """The inbox as a set of (consumer, event id); the results' fake shared across units."""

    def __init__(self, inbox: set[tuple[str, UUID]], results: Results) -> None:
        self.inbox = inbox
        self.erasure = results
        self.claimed: list[tuple[str, UUID]] = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def claim(self, *, consumer: str, event_id: UUID, event_type: str) -> bool:
        if (consumer, event_id) in self.inbox:
            return False
        self.claimed.append((consumer, event_id))
        return True

    async def add_events(self, events: list[Any]) -> None:
        raise AssertionError("an erasure announces nothing")

    async def commit(self) -> None:
        self.inbox.update(self.claimed)


def erasure(mode: EssayErasureMode) -> EventEnvelope[StudentErasureRequestedV1]:
    data = StudentErasureRequestedV1(
        erasure_id="er",
        student_id="s",
        user_id="t",
        essay_mode=mode,
        essays=[
            ErasedEssay(batch_id="b", file_upload_id="u1", essay_id="e1"),
            ErasedEssay(batch_id="b", file_upload_id="u2"),  # not in a slot yet: no results
        ],
    )
    return EventEnvelope.wrap(data, source_service="cms", correlation_id="c")


def runner(inbox: set[tuple[str, UUID]], results: Results) -> StepRunner[Any, EventFactory]:
    return StepRunner(
        lambda: FakeErasureUnitOfWork(inbox, results),
        consumer="grammar_service",
        source_service="grammar_service",
        events=EventFactory,
    )


async def test_delete_removes_the_results_of_essays_with_an_id_once() -> None:
    inbox: set[tuple[str, UUID]] = set()
    results = Results()
    envelope = erasure(EssayErasureMode.DELETE)

    assert await runner(inbox, results).run(envelope, erase_results) is True
    assert await runner(inbox, results).run(envelope, erase_results) is False

    assert results.deleted == [("b", "e1")]
    assert inbox == {("grammar_service", envelope.event_id)}


async def test_keep_changes_nothing_but_is_still_claimed() -> None:
    inbox: set[tuple[str, UUID]] = set()
    results = Results()
    envelope = erasure(EssayErasureMode.KEEP)
    assert await runner(inbox, results).run(envelope, erase_results) is True
    assert results.deleted == []
    assert inbox == {("grammar_service", envelope.event_id)}


async def test_the_erasure_inbox_is_the_service_name_not_the_requests() -> None:
    settings = GrammarSettings(environment=Environment.TEST, internal_api_key="k")
    engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        consumer = make_erasure_runner(settings, engine).consumer
    finally:
        await engine.dispose()
    assert consumer == settings.service_name != CONSUMER_NAME
