"""Loads each language's dictionaries once per process, off the event loop, and checks texts in
a worker thread so the loop keeps serving Kafka heartbeats, /healthz and /metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Protocol

import structlog

from common_core.enums import Language
from spellchecker_service.domain.checking import check_text
from spellchecker_service.domain.ports import SpellChecker, SpellcheckReport
from spellchecker_service.domain.rules import RULES

logger = structlog.get_logger(__name__)

CheckerLoader = Callable[[], SpellChecker]


class LoadableTextChecker(Protocol):
    """What the worker runs: a TextChecker it can preload at start and close at shutdown."""

    async def preload(self) -> None:
        """Load the dictionaries now, before the first message."""
        ...

    async def check(self, text: str, language: Language) -> SpellcheckReport:
        """Check off the event loop; raises UncheckableText when the text cannot be checked."""
        ...

    async def close(self) -> None:
        """Release what the checker holds (processes)."""
        ...


class DictionaryTextChecker:
    """TextChecker over lazily loaded SpellCheckers (one per language, loaded at most once)."""

    def __init__(self, loaders: Mapping[Language, CheckerLoader], *, max_chars: int) -> None:
        self._loaders = dict(loaders)
        self._checkers: dict[Language, SpellChecker] = {}
        self._locks = {language: asyncio.Lock() for language in self._loaders}
        self._max_chars = max_chars

    @property
    def loaded(self) -> list[Language]:
        """Languages whose dictionaries are in memory."""
        return list(self._checkers)

    async def checker(self, language: Language) -> SpellChecker:
        """The language's checker, loading it in a thread the first time."""
        loaded = self._checkers.get(language)
        if loaded is not None:
            return loaded
        if language not in self._loaders:
            raise LookupError(f"no spell checker for language {language!r}")
        async with self._locks[language]:
            if language not in self._checkers:
                started = time.perf_counter()
                self._checkers[language] = await asyncio.to_thread(self._loaders[language])
                logger.info(
                    "spell checker loaded",
                    language=language.value,
                    seconds=round(time.perf_counter() - started, 2),
                )
        return self._checkers[language]

    async def preload(self) -> None:
        """Load every language now (the worker does this at start, before the first message)."""
        for language in self._loaders:
            await self.checker(language)

    async def check(self, text: str, language: Language) -> SpellcheckReport:
        """Check the text in a worker thread; UncheckableText when it cannot be checked."""
        checker = await self.checker(language)
        return await asyncio.to_thread(
            check_text, text, checker, RULES[language], max_chars=self._max_chars
        )

    async def close(self) -> None:
        """Nothing to release: the dictionaries go with the process."""
