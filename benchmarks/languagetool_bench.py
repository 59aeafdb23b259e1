"""LanguageTool server: time per /v2/check of an essay-sized text in English and Swedish, RSS.

Sends `--requests` checks per language, each a different `--words`-word window of the corpus
essays (`<corpus>/en/*.txt`, `<corpus>/sv/*.txt`, read at run time only, never copied; the
corpus defaults to `../shared/corpus` beside the repository), with the spelling category off
as the grammar checks will send them, one at a time. The first check of each language is
timed apart: on a fresh server it loads that language's rules. The server's resident memory
comes from /proc/<pid>/status when scripts/infra/languagetool.sh started it (its pid file); a
server in a container shows no RSS here. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from itertools import cycle
from pathlib import Path

import httpx

from bench_support import default_corpus
from huleedu_service_libs.config import InfraSettings
from huleedu_testing.stats import percentile

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = {"en-GB": "en", "sv": "sv"}  # LanguageTool's code -> the corpus folder


def essay_windows(corpus: Path, folder: str, words: int, count: int) -> list[str]:
    """`count` texts of `words` words each, taken in turn from the folder's essays."""
    essays = [
        p.read_text(encoding="utf-8").split() for p in sorted((corpus / folder).glob("*.txt"))
    ]
    essays = [e for e in essays if len(e) >= words]
    if not essays:
        raise SystemExit(f"no essay of {words}+ words in {corpus / folder}")
    windows: list[str] = []
    offsets = [0] * len(essays)
    for index in cycle(range(len(essays))):
        if len(windows) == count:
            break
        start = offsets[index] if offsets[index] + words <= len(essays[index]) else 0
        windows.append(" ".join(essays[index][start : start + words]))
        offsets[index] = start + words
    return windows


def server_rss_mb() -> float | None:
    """Resident memory of the native server (None when no pid file names a live process)."""
    local = Path(os.environ.get("HULEEDU_LOCAL_DIR", ROOT / ".local"))
    pidfile = local / "languagetool" / "languagetool.pid"
    try:
        status = Path(f"/proc/{pidfile.read_text().strip()}/status").read_text()
    except OSError:
        return None
    kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return kib / 1024


def show_rss(when: str) -> None:
    rss = server_rss_mb()
    print(f"  RSS {when}: {'n/a (no native server pid)' if rss is None else f'{rss:.0f} MB'}")


def timed_check(client: httpx.Client, language: str, text: str) -> tuple[float, int]:
    """Seconds one /v2/check took and how many matches it returned."""
    started = time.perf_counter()
    response = client.post(
        "/v2/check", data={"language": language, "text": text, "disabledCategories": "TYPOS"}
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, len(response.json()["matches"])


def main() -> None:
    """Parse the options, run the checks, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--words", type=int, default=450)
    parser.add_argument("--requests", type=int, default=20)
    args, _ = parser.parse_known_args()  # `make bench` passes its own ARGS to every benchmark

    if not args.corpus.is_dir():
        print(f"LanguageTool: no corpus at {args.corpus} (HULEEDU_CORPUS_DIR); nothing measured")
        return
    url = InfraSettings().languagetool_url
    print(f"LanguageTool at {url}: {args.requests} checks per language, {args.words} words each")
    show_rss("idle, before the checks")
    with httpx.Client(base_url=url, timeout=120.0) as client:
        for language, folder in LANGUAGES.items():
            texts = essay_windows(args.corpus, folder, args.words, args.requests + 1)
            first, _ = timed_check(client, language, texts[0])
            runs = [timed_check(client, language, text) for text in texts[1:]]
            times = [seconds * 1000 for seconds, _ in runs]
            matches = statistics.mean(found for _, found in runs)
            print(
                f"  {language}: first check {first * 1000:.0f} ms; then "
                f"median {statistics.median(times):.0f} ms, p95 {percentile(times, 95):.0f} ms, "
                f"max {max(times):.0f} ms; {matches:.1f} non-spelling matches per text"
            )
    show_rss(f"after {2 * (args.requests + 1)} checks")


if __name__ == "__main__":
    main()
