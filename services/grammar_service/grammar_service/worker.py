"""Kafka entrypoint of the Grammar Service: consumes grammar requests and student erasures,
relays its outbox, warms LanguageTool up, and serves /healthz and /metrics for the process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.envelope import EventEnvelope
from common_core.events import EssayGrammarRequestedV1, StudentErasureRequestedV1
from common_core.topics import topic_for
from grammar_service.adapters.languagetool_client import LanguageToolChecker
from grammar_service.config import GrammarSettings
from grammar_service.di import make_container, make_erasure_runner
from grammar_service.domain.erasure import erase_results
from grammar_service.domain.grammar_check import GrammarCheckEssay
from grammar_service.domain.ports import ContentUnavailable, GrammarCheckerUnavailable
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_service_libs.http import serve_quart
from huleedu_service_libs.kafka.dispatch import EventDispatcher
from huleedu_service_libs.kafka.retry_policy import TransientError
from huleedu_service_libs.observability import HealthCheck
from huleedu_service_libs.worker import ConsumerSpec, WorkerRuntime
from huleedu_service_libs.worker import create_worker_app as create_runtime_app

REQUESTS = "grammar-requests"
LANGUAGETOOL = "languagetool"


def create_worker_app(
    settings: GrammarSettings, engine: AsyncEngine | None = None
) -> tuple[Quart, WorkerRuntime]:
    """The worker app (health, metrics) and its runtime: consumers, relay, LanguageTool warm-up."""
    engine = engine or create_engine_from_settings(settings)
    container = make_container(settings, engine)

    async def handle_request(envelope: EventEnvelope[Any]) -> None:
        async with container() as request_container:
            use_case = await request_container.get(GrammarCheckEssay)
            await _as_transient(lambda: use_case.execute(envelope))

    dispatcher = EventDispatcher()
    dispatcher.register(EssayGrammarRequestedV1, handle_request)

    erasures = EventDispatcher()
    erasures.register(
        StudentErasureRequestedV1, make_erasure_runner(settings, engine).handler(erase_results)
    )

    async def warm_up_languagetool(_stopping: asyncio.Event) -> None:
        # Raises while LanguageTool is away: the supervisor tries again with backoff and
        # readiness reports the loop down until the first checks of both languages answered.
        await (await container.get(LanguageToolChecker)).warm_up()

    async def languagetool_answers() -> None:
        await (await container.get(LanguageToolChecker)).ping()

    return create_runtime_app(
        settings,
        engine,
        consumers=[
            ConsumerSpec(
                name=REQUESTS,
                topics=[topic_for(EssayGrammarRequestedV1)],
                handler=dispatcher.handle,
                max_attempts=settings.consumer_max_attempts,
                transient_budget_seconds=settings.transient_budget_seconds,
            ),
            ConsumerSpec(
                name="erasure",
                topics=[topic_for(StudentErasureRequestedV1)],
                handler=erasures.handle,
                max_attempts=settings.consumer_max_attempts,
                transient_budget_seconds=settings.transient_budget_seconds,
            ),
        ],
        background=[("languagetool-warm-up", warm_up_languagetool)],
        container=container,
        readiness_checks=[HealthCheck(LANGUAGETOOL, languagetool_answers, timeout=3.0)],
        on_shutdown=[container.close],
    )


async def _as_transient(call: Callable[[], Awaitable[object]]) -> None:
    """Run the use case; an outage of the Content Service or LanguageTool is retried by the
    runner (offset not committed), not dead-lettered."""
    try:
        await call()
    except ContentUnavailable as exc:
        raise TransientError(f"content service unavailable: {exc}") from exc
    except GrammarCheckerUnavailable as exc:
        raise TransientError(f"languagetool unavailable: {exc}") from exc


def main() -> None:
    """Consume and relay until SIGTERM/SIGINT."""
    settings = GrammarSettings()
    app, _runtime = create_worker_app(settings)
    asyncio.run(serve_quart(app, settings))


if __name__ == "__main__":
    main()
