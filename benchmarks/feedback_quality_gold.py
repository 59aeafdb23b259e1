"""Gold scoring for feedback_quality_bench: flags against annotated errors (learner sentences
with one corrected error each, or correct words with an injected misspelling)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from common_core.events import Misspelling
from spellchecker_service.adapters.hunspell_lexicon import HunspellLexicon
from spellchecker_service.domain.tokens import tokenize

CATEGORIES = ("spelling", "compound", "capitalisation")


@dataclass(frozen=True)
class Flag:
    """One flag of any engine: where, and its suggestions best first."""

    start: int
    end: int
    suggestions: list[str]


@dataclass(frozen=True)
class Annotated:
    """A text with errors text[start:end] whose correction is known."""

    text: str
    errors: list[tuple[int, int, str]]
    category: str = "spelling"
    real_word: bool = False


@dataclass
class Score:
    """Precision, recall and top-k suggestion accuracy, overall and per error category."""

    errors: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    top1: Counter[str] = field(default_factory=Counter)
    top3: Counter[str] = field(default_factory=Counter)
    flags: int = 0
    false_alarms: Counter[str] = field(default_factory=Counter)

    def add(self, item: Annotated, flags: list[Flag], ignore: frozenset[str] = frozenset()) -> None:
        """Score one text's flags against its annotated errors; flags on words in `ignore`
        (errors the text had before any were injected) count neither way."""
        flags = [f for f in flags if item.text[f.start : f.end] not in ignore]
        self.flags += len(flags)
        keys = ["all", item.category] + (["real-word"] if item.real_word else [])
        for start, end, correction in item.errors:
            near = [f for f in flags if f.start < end and start < f.end]
            gold = item.text[:start] + correction + item.text[end:]
            ranks = [
                i
                for f in near
                for i, s in enumerate(f.suggestions[:3])
                if item.text[: f.start] + s + item.text[f.end :] == gold
            ]
            for key in keys:
                self.errors[key] += 1
                self.found[key] += bool(near)
                self.top1[key] += 0 in ranks
                self.top3[key] += bool(ranks)
        for f in flags:
            if not any(f.start < end and start < f.end for start, end, _ in item.errors):
                self.false_alarms[item.text[f.start : f.end]] += 1

    def lines(self, label: str) -> list[str]:
        """The figures, overall then per category."""
        alarms = sum(self.false_alarms.values())
        on_errors = self.flags - alarms
        precision = on_errors / self.flags if self.flags else 1.0
        rows = [f"{label:<10} precision {precision:.3f} ({on_errors}/{self.flags} flags)"]
        for key in ("all", *CATEGORIES, "real-word"):
            n, hit = self.errors[key], self.found[key]
            if not n:
                continue
            rows.append(
                f"  {key:<15} errors {n:4}  recall {hit / n:.3f}  "
                f"top-1 {_share(self.top1[key], hit)} top-3 {_share(self.top3[key], hit)} "
                f"(of found; of all: top-1 {self.top1[key] / n:.3f})"
            )
        return rows


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "  -  "


def as_flags(misspellings: list[Misspelling]) -> list[Flag]:
    """Our checker's flags."""
    return [Flag(m.start, m.end, list(m.suggestions)) for m in misspellings]


def libhunspell_flags(text: str, lexicon: HunspellLexicon) -> list[Flag]:
    """Plain libhunspell: every word it rejects, with its own suggestions in its own order."""
    return [
        Flag(t.start, t.end, lexicon.suggest(t.word))
        for t in tokenize(text)
        if any(ch.isalpha() for ch in t.word) and not lexicon.accepts(t.word)
    ]


def category_of(incorrect: str, correction: str) -> str:
    """What kind of error an annotated pair is."""
    if incorrect != correction and incorrect.lower() == correction.lower():
        return "capitalisation"
    if incorrect.count(" ") != correction.count(" ") or "-" in correction:
        return "compound"
    return "spelling"
