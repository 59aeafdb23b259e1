"""WORKER_PROCESSES: checks in a pool of processes (a tiny dictionary each), and the consumers
that feed it, all in the request topic's one consumer group."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest

from common_core.enums import Language
from common_core.events import EssaySpellcheckRequestedV1
from common_core.topics import topic_for
from spellchecker_service.adapters.checker_pool import (
    CheckerProcessDied,
    LogSetup,
    ProcessPoolTextChecker,
)
from spellchecker_service.adapters.swedish_checker import SwedishChecker
from spellchecker_service.adapters.text_checker import DictionaryTextChecker
from spellchecker_service.config import SpellcheckerSettings
from spellchecker_service.di import make_text_checker
from spellchecker_service.domain.checking import UncheckableText
from spellchecker_service.worker import request_consumers

AFF = "SET UTF-8\n\nSFX D Y 1\nSFX D 0 nde a\n"
DIC = "2\npassa/D\nhelg\n"


@pytest.fixture
def dictionary(tmp_path: Path) -> Path:
    """A two-entry "Swedish" dictionary."""
    base = tmp_path / "xx_XX"
    Path(f"{base}.aff").write_text(AFF, encoding="utf-8")
    Path(f"{base}.dic").write_text(DIC, encoding="utf-8")
    return base


@pytest.fixture
async def pool(dictionary: Path, tmp_path: Path) -> AsyncIterator[ProcessPoolTextChecker]:
    """Two processes, each loading the dictionary."""
    base = dictionary
    checker = ProcessPoolTextChecker(
        {Language.SWEDISH: partial(SwedishChecker.load, str(base), tmp_path / "cache")},
        max_chars=100,
        processes=2,
        log=LogSetup("spellchecker_service", "WARNING", json_logs=True),
    )
    await checker.preload()
    try:
        yield checker
    finally:
        await checker.close()


class TestProcessPoolTextChecker:
    async def test_checks_in_the_pool_s_processes(self, pool: ProcessPoolTextChecker) -> None:
        report = await pool.check("Helg passande pasande.", Language.SWEDISH)
        assert [(m.word, m.suggestions[:1]) for m in report.misspellings] == [
            ("pasande", ["passande"])
        ]
        assert report.corrected_text == "Helg passande passande."

    async def test_an_uncheckable_text_raises_across_the_process_boundary(
        self, pool: ProcessPoolTextChecker
    ) -> None:
        with pytest.raises(UncheckableText, match="longer than 100"):
            await pool.check("passa " * 40, Language.SWEDISH)
        with pytest.raises(LookupError):
            await pool.check("passa", Language.ENGLISH)

    async def test_a_dead_process_fails_one_check_and_the_pool_is_replaced(
        self, pool: ProcessPoolTextChecker
    ) -> None:
        for pid in list(pool._pool._processes):  # the test kills them
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(CheckerProcessDied):
            await pool.check("passa", Language.SWEDISH)
        report = await pool.check("Passa pasa", Language.SWEDISH)  # a fresh pool
        assert [m.word for m in report.misspellings] == ["pasa"]


def test_one_process_checks_in_threads_more_use_a_pool() -> None:
    assert isinstance(make_text_checker(SpellcheckerSettings()), DictionaryTextChecker)
    assert isinstance(
        make_text_checker(SpellcheckerSettings(worker_processes=2)), ProcessPoolTextChecker
    )


@pytest.mark.parametrize("processes", [1, 3])
def test_one_request_consumer_per_process_all_in_one_group(processes: int) -> None:
    async def handler(_record: object) -> None:
        return None

    settings = SpellcheckerSettings(kafka_consumer_group="hule", worker_processes=processes)
    specs = request_consumers(settings, handler)
    assert len(specs) == processes
    assert len({spec.name for spec in specs}) == processes  # client ids and health loops
    assert specs[0].name == "spellcheck-requests"
    assert {spec.group_id for spec in specs} == {"hule.spellcheck-requests"}
    assert all(spec.topics == [topic_for(EssaySpellcheckRequestedV1)] for spec in specs)


def test_worker_processes_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        SpellcheckerSettings(worker_processes=0)
