"""The spell check in a pool of processes, each holding its own dictionaries.

hunspell and the Python around it hold the GIL, so checks in threads take turns on one core;
with SPELLCHECKER_SERVICE_WORKER_PROCESSES > 1 the worker runs that many consumers of the
request topic and sends their checks here, one process each. The processes only compute
(text in, report out): fetching, storing and the transaction stay in the worker, so the
exactly-once rules are the same as with one process. Idle, they wait on a pipe (no CPU).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

import structlog

from common_core.enums import Language
from huleedu_service_libs.logging_setup import configure_logging
from spellchecker_service.adapters.text_checker import CheckerLoader
from spellchecker_service.domain.checking import check_text
from spellchecker_service.domain.ports import SpellChecker, SpellcheckReport
from spellchecker_service.domain.rules import RULES

logger = structlog.get_logger(__name__)

T = TypeVar("T")


class CheckerProcessDied(RuntimeError):
    """A check's process died (killed, out of memory); the pool was replaced, retry the check."""


@dataclass(frozen=True)
class LogSetup:
    """How the pool's processes log: as the worker does."""

    service_name: str
    level: str
    json_logs: bool


# One process's dictionaries, loaded by the pool's initializer before its first check.
_checkers: dict[Language, SpellChecker] = {}
_max_chars = 0


def _load(loaders: Mapping[Language, CheckerLoader], max_chars: int, log: LogSetup) -> None:
    global _max_chars
    configure_logging(log.service_name, log.level, log.json_logs)
    for language, load in loaders.items():
        _checkers[language] = load()
    _max_chars = max_chars
    # The dictionaries live as long as the process: out of the collector's generations.
    gc.collect()
    gc.freeze()
    logger.info("spell check process ready", languages=[lang.value for lang in _checkers])


def _check(text: str, language: Language) -> SpellcheckReport:
    checker = _checkers.get(language)
    if checker is None:
        raise LookupError(f"no spell checker for language {language!r}")
    return check_text(text, checker, RULES[language], max_chars=_max_chars)


def _ready() -> bool:
    return bool(_checkers)


class ProcessPoolTextChecker:
    """TextChecker over `processes` processes; at most that many checks run at once."""

    def __init__(
        self,
        loaders: Mapping[Language, CheckerLoader],
        *,
        max_chars: int,
        processes: int,
        log: LogSetup,
    ) -> None:
        # The loaders cross to each process by pickle: functools.partial, not lambdas.
        self._initargs = (dict(loaders), max_chars, log)
        self._processes = processes
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn: a fresh interpreter, not a fork of a process with an event loop and threads.
        return ProcessPoolExecutor(
            max_workers=self._processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=self._initargs,
        )

    async def preload(self) -> None:
        """Start every process and wait until the dictionaries are loaded in at least one."""
        await asyncio.gather(*(self._run(_ready) for _ in range(self._processes)))

    async def check(self, text: str, language: Language) -> SpellcheckReport:
        """Check in one of the pool's processes; UncheckableText when it cannot be checked."""
        return await self._run(_check, text, language)

    async def close(self) -> None:
        """Stop the processes (a check still running is abandoned; its message is redelivered)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _run(self, call: Callable[..., T], *args: object) -> T:
        pool = self._pool
        try:
            result: T = await asyncio.get_running_loop().run_in_executor(pool, call, *args)
        except BrokenProcessPool as exc:
            # A dead process breaks the whole executor; the next call gets a fresh pool.
            if self._pool is pool:
                self._pool = self._new_pool()
                pool.shutdown(wait=False, cancel_futures=True)
                logger.error("spell check process died; pool replaced", error=repr(exc))
            raise CheckerProcessDied(str(exc) or "a spell check process died") from exc
        return result
