"""Kafka entrypoint of the Spell Checker: consumes spellcheck requests and student erasures,
relays its outbox, and serves /healthz and /metrics for the process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from common_core.events import EssaySpellcheckRequestedV1, StudentErasureRequestedV1
from common_core.topics import topic_for
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_service_libs.gc_tuning import freeze_long_lived
from huleedu_service_libs.http import serve_quart
from huleedu_service_libs.kafka import RecordHandler
from huleedu_service_libs.kafka.dispatch import EventDispatcher
from huleedu_service_libs.kafka.retry_policy import TransientError
from huleedu_service_libs.worker import ConsumerSpec, WorkerRuntime
from huleedu_service_libs.worker import create_worker_app as create_runtime_app
from spellchecker_service.adapters.text_checker import LoadableTextChecker
from spellchecker_service.config import SpellcheckerSettings
from spellchecker_service.di import make_container, make_erasure_runner, make_text_checker
from spellchecker_service.domain.erasure import erase_results
from spellchecker_service.domain.ports import ContentUnavailable
from spellchecker_service.domain.spellcheck import SpellcheckEssay


def create_worker_app(
    settings: SpellcheckerSettings,
    engine: AsyncEngine | None = None,
    *,
    text_checker: LoadableTextChecker | None = None,
) -> tuple[Quart, WorkerRuntime]:
    """The worker app (health, metrics) and its runtime: consumer, relay, dictionary preload."""
    engine = engine or create_engine_from_settings(settings)
    checker = text_checker or make_text_checker(settings)
    container = make_container(settings, engine, checker)

    async def handle_request(envelope: EventEnvelope[Any]) -> None:
        async with container() as request_container:
            use_case = await request_container.get(SpellcheckEssay)
            await _as_transient(lambda: use_case.execute(envelope))

    dispatcher = EventDispatcher()
    dispatcher.register(EssaySpellcheckRequestedV1, handle_request)

    erasures = EventDispatcher()
    erasures.register(
        StudentErasureRequestedV1, make_erasure_runner(settings, engine).handler(erase_results)
    )

    async def preload_dictionaries(_stopping: asyncio.Event) -> None:
        await checker.preload()
        if settings.gc_freeze_after_startup:
            # Loaded after startup's freeze; with one process they are most of the heap.
            freeze_long_lived("dictionaries loaded")

    return create_runtime_app(
        settings,
        engine,
        consumers=[
            *request_consumers(settings, dispatcher.handle),
            ConsumerSpec(
                name="erasure",
                topics=[topic_for(StudentErasureRequestedV1)],
                handler=erasures.handle,
                max_attempts=settings.consumer_max_attempts,
                transient_budget_seconds=settings.transient_budget_seconds,
            ),
        ],
        background=[("dictionary-preload", preload_dictionaries)],
        container=container,
        on_shutdown=[container.close, checker.close],
    )


REQUESTS = "spellcheck-requests"


def request_consumers(settings: SpellcheckerSettings, handler: RecordHandler) -> list[ConsumerSpec]:
    """`worker_processes` members of the request topic's one consumer group: each handles its
    partitions' requests one at a time, so that many checks can run at once."""
    group = f"{settings.kafka_consumer_group}.{REQUESTS}"
    return [
        ConsumerSpec(
            name=REQUESTS if n == 1 else f"{REQUESTS}-{n}",
            topics=[topic_for(EssaySpellcheckRequestedV1)],
            handler=handler,
            group_id=group,
            max_attempts=settings.consumer_max_attempts,
            transient_budget_seconds=settings.transient_budget_seconds,
        )
        for n in range(1, settings.worker_processes + 1)
    ]


async def _as_transient(call: Callable[[], Awaitable[object]]) -> None:
    """Run the use case; a Content Service outage is retried by the runner, not dead-lettered."""
    try:
        await call()
    except ContentUnavailable as exc:
        raise TransientError(f"content service unavailable: {exc}") from exc


def main() -> None:
    """Consume and relay until SIGTERM/SIGINT."""
    settings = SpellcheckerSettings()
    app, _runtime = create_worker_app(settings)
    asyncio.run(serve_quart(app, settings))


if __name__ == "__main__":
    main()
