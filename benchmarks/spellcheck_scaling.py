"""How the spell checker's check rate scales with SPELLCHECKER_SERVICE_WORKER_PROCESSES.

For each process count, the worker's own TextChecker (threads for 1, a process pool above)
checks the same generated essays with that many checks in flight, as that many consumers
would send them. A warm-up pass on other essays first fills hunspell's per-process caches.
Run by hand (not part of `make bench`: it loads the dictionaries once per process):
    .venv/bin/python benchmarks/spellcheck_scaling.py [--essays 40] [--processes 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from common_core.enums import Language
from huleedu_testing.sample_files import essay_text
from spellchecker_service.adapters.text_checker import LoadableTextChecker
from spellchecker_service.config import SpellcheckerSettings
from spellchecker_service.di import make_text_checker

LANGUAGES = ((Language.ENGLISH, "en"), (Language.SWEDISH, "sv"))


async def rate(checker: LoadableTextChecker, language: Language, texts: list[str], n: int) -> float:
    """Essays/s with `n` checks in flight."""
    slots = asyncio.Semaphore(n)

    async def one(text: str) -> None:
        async with slots:
            await checker.check(text, language)

    start = time.perf_counter()
    await asyncio.gather(*(one(t) for t in texts))
    return len(texts) / (time.perf_counter() - start)


async def measure(processes: int, essays: int) -> dict[Language, float]:
    """Essays/s per language with `processes` checking."""
    checker = make_text_checker(SpellcheckerSettings(worker_processes=processes))
    try:
        await checker.preload()
        rates = {}
        for language, lang in LANGUAGES:
            warm = [essay_text(lang, 450, seed=10_000 + n) for n in range(essays)]
            await rate(checker, language, warm, processes)
            texts = [essay_text(lang, 450, seed=n) for n in range(essays)]
            rates[language] = await rate(checker, language, texts, processes)
        return rates
    finally:
        await checker.close()


async def main(essays: int, counts: list[int]) -> None:
    """Print essays/s per process count and the speed-up over the first count."""
    print(
        f"spell check scaling ({essays} essays of ~450 words per language, {os.cpu_count()} CPUs)"
    )
    first: dict[Language, float] = {}
    for processes in counts:
        rates = await measure(processes, essays)
        first = first or rates
        print(
            f"  {processes} process(es): "
            + ", ".join(
                f"{lang} {rates[language]:6.1f} essays/s (x{rates[language] / first[language]:.2f})"
                for language, lang in LANGUAGES
            )
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--essays", type=int, default=40)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    asyncio.run(main(args.essays, args.processes))
