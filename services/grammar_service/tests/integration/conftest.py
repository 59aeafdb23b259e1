"""Grammar Service over real PostgreSQL, Kafka, LanguageTool and a real Content Service.

The worker runs with its real runtime (consumers, relay, LanguageTool warm-up) on the registry
topics, in a random consumer group whose offsets start at the topic's current end, so only
this test's requests are consumed. Assertions read the completed topic from offsets captured
before the test, filtered by the test's random batch id.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common_core.enums import CourseCode, Language
from common_core.envelope import EventEnvelope
from common_core.events import (
    EssayGrammarCompletedV1,
    EssayGrammarRequestedV1,
    StudentErasureRequestedV1,
)
from common_core.topics import topic_for
from grammar_service.adapters.languagetool_client import LanguageToolChecker
from grammar_service.config import GrammarSettings
from grammar_service.di import make_languagetool_breaker
from grammar_service.worker import create_worker_app
from huleedu_service_libs.config import Environment, InfraSettings
from huleedu_service_libs.kafka.admin import ensure_topics
from huleedu_testing import random_id, random_suffix
from huleedu_testing.content_service import ContentServiceProcess, content_service_engine
from huleedu_testing.kafka_helpers import TopicProbe, batch_id_of, end_offsets, start_groups_at_end
from huleedu_testing.migrations import upgrade_to_head
from huleedu_testing.servers import serve_in_background

SERVICE_DIR = Path(__file__).resolve().parents[2]
INTERNAL_KEY = "grammar-it-internal-key"
REQUESTED_TOPIC = topic_for(EssayGrammarRequestedV1)
COMPLETED_TOPIC = topic_for(EssayGrammarCompletedV1)
ERASURE_TOPIC = topic_for(StudentErasureRequestedV1)
LT_HINT = "start it with `make infra-up` (or scripts/infra/languagetool.sh up)"


@pytest.fixture(scope="session")
def languagetool_url() -> str:
    """The infrastructure's LanguageTool server (HULEEDU_LANGUAGETOOL_*)."""
    return InfraSettings().languagetool_url


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """One HTTP client for the test."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def languagetool(http: aiohttp.ClientSession, languagetool_url: str) -> LanguageToolChecker:
    """The service's own client of the live server; fails the test when it does not answer."""
    settings = GrammarSettings(environment=Environment.TEST, languagetool_url=languagetool_url)
    checker = LanguageToolChecker(
        http,
        base_url=languagetool_url,
        timeout_seconds=60.0,
        breaker=make_languagetool_breaker(settings),
    )
    try:
        await checker.ping()
    except Exception as exc:
        pytest.fail(f"LanguageTool at {languagetool_url} does not answer ({exc!r}); {LT_HINT}")
    return checker


@pytest.fixture
async def grammar_engine(pg_engine: AsyncEngine, kafka_bootstrap: str) -> AsyncEngine:
    """The Grammar Service's tables, migrated with its own Alembic scripts, in a fresh schema
    (and its topics, should the broker predate them)."""
    await ensure_topics(kafka_bootstrap, [REQUESTED_TOPIC, COMPLETED_TOPIC, ERASURE_TOPIC])
    await upgrade_to_head(pg_engine, SERVICE_DIR)
    return pg_engine


@pytest.fixture
async def content_service(infra: InfraSettings) -> AsyncIterator[ContentServiceProcess]:
    """The Content Service in a second fresh schema, served for the whole test."""
    async with content_service_engine(infra) as engine:
        process = ContentServiceProcess(engine, INTERNAL_KEY)
        await process.start()
        try:
            yield process
        finally:
            with contextlib.suppress(Exception):
                await process.stop()


@dataclass
class CompletedProbe(TopicProbe):
    """Reads the completed topic from where it ended before the test."""

    async def read(
        self, batch_id: str, *, expected: int, timeout_seconds: float = 90.0, settle: float = 2.0
    ) -> list[EventEnvelope[Any]]:
        """Completed events of the batch until `expected` arrived plus a settle window."""
        records = await self.read_new(
            lambda record: batch_id_of(record) == batch_id,
            expected=expected,
            timeout_seconds=timeout_seconds,
            settle_seconds=settle,
        )
        return [
            EventEnvelope[EssayGrammarCompletedV1].model_validate_json(r.value) for r in records
        ]


@pytest.fixture
async def completed(
    kafka_admin: AIOKafkaAdminClient, kafka_bootstrap: str, grammar_engine: AsyncEngine
) -> CompletedProbe:
    """End offsets of the completed topic, captured before the test produced anything."""
    marks = await end_offsets(kafka_bootstrap, [COMPLETED_TOPIC], admin=kafka_admin)
    return CompletedProbe(kafka_bootstrap, marks)


def new_group() -> str:
    """A consumer group of this test only."""
    return f"grammar-it-{random_suffix()}"


async def start_at_end(bootstrap: str, group: str) -> None:
    """The group's consumers skip every request and erasure published before the test."""
    await start_groups_at_end(
        bootstrap,
        {f"{group}.grammar-requests": [REQUESTED_TOPIC], f"{group}.erasure": [ERASURE_TOPIC]},
    )


@asynccontextmanager
async def running_worker(
    engine: AsyncEngine,
    content: ContentServiceProcess,
    bootstrap: str,
    group: str,
    languagetool_url: str,
    **overrides: Any,
) -> AsyncIterator[str]:
    """The worker app with its runtime started, in `group`; yields its base URL."""
    settings = GrammarSettings(
        environment=Environment.TEST,
        internal_api_key=INTERNAL_KEY,
        content_service_url=content.url,
        content_max_attempts=1,
        content_timeout_seconds=2.0,
        languagetool_url=languagetool_url,
        kafka_consumer_group=group,
        outbox_poll_interval_seconds=0.5,
        **overrides,
    )
    app, _runtime = create_worker_app(settings, engine)
    async with serve_in_background(app, settings) as url:
        yield url


def grammar_request(
    batch_id: str, text_id: str, language: Language, disabled: list[str] | None = None
) -> EventEnvelope[EssayGrammarRequestedV1]:
    """A request for one essay of the batch."""
    data = EssayGrammarRequestedV1(
        batch_id=batch_id,
        essay_id=random_id(),
        text_storage_id=text_id,
        language=language,
        course_code=CourseCode.ENG6 if language is Language.ENGLISH else CourseCode.SV2,
        disabled_categories=disabled or [],
    )
    return EventEnvelope.wrap(data, source_service="it", correlation_id=random_id())


async def result_rows(engine: AsyncEngine, batch_id: str) -> int:
    """grammar_results rows of the batch."""
    async with engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM grammar_results WHERE batch_id = :b"), {"b": batch_id}
        )
    return int(count or 0)
