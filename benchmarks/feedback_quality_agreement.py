"""Agreement for feedback_quality_bench: our dictionary flags against the `hunspell -l` CLI.

Every word the checker judges (its own token rules: names, numbers, acronyms, URLs and single
letters are left out, period-joined words split; `checked_words`) is fed to `hunspell -l` one
per line (the CLI is slow on long lines), with the same dictionaries the service loads.
Precision = the share of our flags that hunspell flags too; recall = the share of hunspell's
flags that we flag; over word occurrences and over distinct words. Flags our compound and
capitalisation rules add on words the dictionary accepts are counted apart.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from common_core.enums import Language
from spellchecker_service.domain.checking import UncheckableText, check_text, checked_words
from spellchecker_service.domain.ports import SpellChecker
from spellchecker_service.domain.rules import RULES


@dataclass
class Tally:
    """Flag agreement between our checker and the hunspell CLI."""

    words: int = 0
    ours: int = 0
    reference: int = 0
    both: int = 0

    def add(self, ours: bool, reference: bool) -> None:
        """Count one judged word."""
        self.words += 1
        self.ours += ours
        self.reference += reference
        self.both += ours and reference

    def line(self) -> str:
        """Precision and recall with the counts behind them."""
        precision = self.both / self.ours if self.ours else 1.0
        recall = self.both / self.reference if self.reference else 1.0
        return (
            f"precision {precision:.4f}  recall {recall:.4f}  "
            f"(words {self.words}, ours {self.ours}, hunspell {self.reference}, "
            f"both {self.both})"
        )


def cli_flags(words: Iterable[str], dictionaries: list[str]) -> set[str]:
    """The words `hunspell -l` lists."""
    unique = sorted(set(words))
    result = subprocess.run(  # noqa: S603 - the CLI with our own dictionary paths
        ["hunspell", "-i", "UTF-8", "-d", ",".join(dictionaries), "-l"],  # noqa: S607
        input="\n".join(unique) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    return set(result.stdout.split()) & set(unique)


def agreement(
    language: Language, texts: list[str], checker: SpellChecker, dictionaries: list[str]
) -> None:
    """Print our dictionary flags against the CLI's, per word and per distinct word."""
    rules = RULES[language]
    judged = []
    rule_flags: Counter[str] = Counter()
    for text in texts:
        try:
            report = check_text(text, checker, rules)
        except UncheckableText:
            continue
        flagged = {(m.start, m.end) for m in report.misspellings}
        rule_flags.update(
            m.category.value
            for m in report.misspellings
            if all(checker.is_correct(part) for part in m.word.split())
        )
        judged.append((checked_words(text, rules), flagged))
    cli = cli_flags((w.word for words, _ in judged for w in words), dictionaries)
    tally, by_type = Tally(), Tally()
    distinct: dict[str, tuple[bool, bool]] = {}
    disagree: dict[str, Counter[str]] = {"ours only": Counter(), "hunspell only": Counter()}
    for words, flagged in judged:
        for word in words:
            ours = (word.start, word.end) in flagged and not checker.is_correct(word.word)
            reference = word.word in cli
            tally.add(ours, reference)
            seen = distinct.get(word.word, (False, False))
            distinct[word.word] = (seen[0] or ours, seen[1] or reference)
            if ours != reference:
                disagree["ours only" if ours else "hunspell only"][word.word] += 1
    for ours, reference in distinct.values():
        by_type.add(ours, reference)
    print(f"   agreement with hunspell -l -d {','.join(dictionaries)} ({len(judged)} texts)")
    print(f"     words          {tally.line()}")
    print(f"     distinct words {by_type.line()}")
    for label, counter in disagree.items():
        examples = ", ".join(f"{w} {n}" for w, n in counter.most_common(12))
        print(f"     {label}: {examples or '-'}")
    print(f"     rule flags on words hunspell accepts: {dict(rule_flags) or '-'}")
