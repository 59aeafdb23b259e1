"""Spelling quality: the words our checker flags against the words the hunspell CLI flags.

Per language, every word the checker judges (its own token rules: names, numbers, acronyms,
URLs and single letters are left out, period-joined words split; `checked_words`) is fed to
`hunspell -l` one per line (the CLI is slow on long lines), with the same dictionaries the
service loads. Precision = the share of our flags that hunspell flags too; recall = the share
of hunspell's flags that we flag; counted over word occurrences and over distinct words.
Texts (read at run time only, never copied): `<corpus>/sv/*.txt` and the sentences of
`<corpus>/sv_learner_dev/*.jsonl` for Swedish, `<corpus>/en/*.txt` for English; the corpus
defaults to `../shared/corpus` beside the repository. The learner sentences carry one
annotated error each, so they also give gold figures for our checker and for the CLI: errors
flagged, top suggestion equal to the annotators' correction, flags elsewhere in the sentence
(false alarms: the annotators corrected everything else). Needs no running service.
Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from common_core.enums import Language
from spellchecker_service.config import SpellcheckerSettings
from spellchecker_service.di import checker_loaders
from spellchecker_service.domain.checking import (
    CheckedWord,
    UncheckableText,
    check_text,
    checked_words,
)
from spellchecker_service.domain.ports import SpellChecker
from spellchecker_service.domain.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
LEARNER_DIR = "sv_learner_dev"


@dataclass(frozen=True)
class Text:
    """One text to check, where it came from, and its annotated error (learner sentences)."""

    source: str
    text: str
    gold: dict[str, object] | None = None


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


@dataclass
class Gold:
    """Learner sentences with one annotated error each."""

    errors: int = 0
    flagged: Counter[str] = field(default_factory=Counter)
    elsewhere: Counter[str] = field(default_factory=Counter)
    top1: int = 0


def load_texts(corpus: Path, language: Language) -> list[Text]:
    """The corpus texts of one language (missing folders are simply empty)."""
    folder = "sv" if language is Language.SWEDISH else "en"
    texts = [
        Text(folder, path.read_text(encoding="utf-8"))
        for path in sorted((corpus / folder).glob("*.txt"))
    ]
    if language is Language.SWEDISH:
        for path in sorted((corpus / LEARNER_DIR).glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                item = json.loads(line)
                texts.append(Text(LEARNER_DIR, item["sentence"], item))
    return texts


def hunspell_flags(words: Iterable[str], dictionaries: list[str]) -> tuple[set[str], int]:
    """The words `hunspell -l` lists, and how many listed words were not among the input."""
    unique = sorted(set(words))
    result = subprocess.run(  # noqa: S603 - the CLI with our own dictionary paths
        ["hunspell", "-i", "UTF-8", "-d", ",".join(dictionaries), "-l"],  # noqa: S607
        input="\n".join(unique) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    listed = set(result.stdout.split())
    return listed & set(unique), len(listed - set(unique))


def measure(language: Language, texts: list[Text], checker: SpellChecker, dicts: list[str]) -> None:
    """Print precision/recall per source and overall, examples of disagreement, gold figures."""
    rules = RULES[language]
    judged: list[tuple[Text, list[CheckedWord], dict[tuple[int, int], list[str]]]] = []
    started = time.perf_counter()
    for text in texts:
        try:
            report = check_text(text.text, checker, rules)
        except UncheckableText:
            continue
        flags = {(m.start, m.end): m.suggestions for m in report.misspellings}
        judged.append((text, checked_words(text.text, rules), flags))
    seconds = time.perf_counter() - started
    cli, unmatched = hunspell_flags((w.word for _, ws, _ in judged for w in ws), dicts)
    tallies: dict[str, Tally] = {}
    distinct: dict[str, tuple[bool, bool]] = {}
    disagree: dict[str, Counter[str]] = {"ours only": Counter(), "hunspell only": Counter()}
    gold = Gold()
    for text, words, flags in judged:
        for word in words:
            ours, ref = (word.start, word.end) in flags, word.word in cli
            for key in (text.source, "all"):
                tallies.setdefault(key, Tally()).add(ours, ref)
            seen = distinct.get(word.word, (False, False))
            distinct[word.word] = (seen[0] or ours, seen[1] or ref)
            if ours != ref:
                disagree["ours only" if ours else "hunspell only"][word.word] += 1
        if text.gold is not None:
            score_gold(gold, text.gold, words, flags, cli)
    by_type = Tally()
    for ours, ref in distinct.values():
        by_type.add(ours, ref)
    print(f"== {language.value}: {len(judged)} texts, checked in {seconds:.1f} s")
    print(f"   reference: hunspell -l -d {','.join(dicts)}")
    for key in sorted(tallies, key=lambda k: (k == "all", k)):
        print(f"   {key:<16} {tallies[key].line()}")
    print(f"   {'distinct words':<16} {by_type.line()}")
    if unmatched:
        print(f"   ({unmatched} words listed by the CLI were not among the input)")
    for label, counter in disagree.items():
        examples = ", ".join(f"{w} {n}" for w, n in counter.most_common(12))
        print(f"   {label}: {examples or '-'}")
    if gold.errors:
        print(f"   {LEARNER_DIR} gold: {gold.errors} annotated errors")
        for who in ("ours", "hunspell"):
            print(
                f"     {who:<9} flagged {gold.flagged[who]}, "
                f"flags elsewhere (false alarms) {gold.elsewhere[who]}"
            )
        print(f"     ours top suggestion = correction: {gold.top1}")


def score_gold(
    gold: Gold,
    item: dict[str, object],
    words: list[CheckedWord],
    flags: dict[tuple[int, int], list[str]],
    cli: set[str],
) -> None:
    """Add one learner sentence: was its error flagged (and fixed), and what else was flagged."""
    start, end = int(str(item["start"])), int(str(item["end"]))
    gold.errors += 1
    on_error = {"ours": False, "hunspell": False}
    for word in words:
        inside = word.start < end and start < word.end
        verdicts = {"ours": (word.start, word.end) in flags, "hunspell": word.word in cli}
        for who, flagged in verdicts.items():
            if flagged and inside:
                on_error[who] = True
            elif flagged:
                gold.elsewhere[who] += 1
        suggestions = flags.get((word.start, word.end))
        if (word.start, word.end) == (start, end) and suggestions:
            gold.top1 += suggestions[0] == item["correction"]
    for who, hit in on_error.items():
        gold.flagged[who] += hit


def main() -> None:
    """Load each language's checker as the service does and compare it with the CLI."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of texts")
    parser.add_argument("--language", choices=[lang.value for lang in Language], default=None)
    args, _ = parser.parse_known_args()
    if not args.corpus.is_dir():
        print(f"spelling quality: no corpus at {args.corpus}; nothing measured")
        return
    if shutil.which("hunspell") is None:
        print("spelling quality: the hunspell CLI is missing (apt-get install hunspell)")
        return
    settings = SpellcheckerSettings()
    loaders = checker_loaders(settings)
    dictionaries = {
        Language.SWEDISH: [settings.swedish_dictionary_path],
        Language.ENGLISH: settings.english_dictionary_paths,
    }
    for language in Language:
        if args.language not in (None, language.value):
            continue
        texts = load_texts(args.corpus, language)
        if not texts:
            print(f"== {language.value}: no texts under {args.corpus}")
            continue
        started = time.perf_counter()
        checker = loaders[language]()
        print(f"({language.value} checker loaded in {time.perf_counter() - started:.1f} s)")
        measure(language, texts, checker, dictionaries[language])


if __name__ == "__main__":
    main()
