"""Feedback quality: what the spell checker flags and suggests, against gold and hunspell.

Swedish, `<corpus>/sv_learner_dev/*.jsonl` (learner sentences, one annotated error each; the
annotators corrected everything else, so a flag outside the span is a false alarm): precision,
recall, top-1 and top-3 suggestion accuracy (the corrected sentence equals the annotators'),
per category (spelling, compound, capitalisation; real-word errors, which hunspell accepts,
shown apart), ours next to plain libhunspell (its own verdict, its own suggestion order).
Edited Swedish, `<corpus>/sv/*.txt` (speeches): every compound or capitalisation flag there
is a false alarm. English, `<corpus>/en/*.txt`: the same figures on the essays with learner
slips injected into correct words (fixed seed; `feedback_quality_inject.py`), scored against
the original word.
Both languages: our dictionary flags against `hunspell -l` with the same dictionaries, over the
words our token rules judge (`checked_words`); flags our compound and case rules add on words
hunspell accepts are counted apart. Texts are read at run time only, never copied; the corpus
defaults to `../shared/corpus` beside the repository. Needs no running service. Prints
numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from collections import Counter
from pathlib import Path

from feedback_quality_agreement import agreement
from feedback_quality_gold import (
    Annotated,
    Score,
    as_flags,
    category_of,
    libhunspell_flags,
)
from feedback_quality_inject import inject

from bench_support import default_corpus
from common_core.enums import FlagCategory, Language
from spellchecker_service.adapters.hunspell_lexicon import HunspellLexicon
from spellchecker_service.config import SpellcheckerSettings
from spellchecker_service.di import checker_loaders
from spellchecker_service.domain.checking import UncheckableText, check_text, checked_words
from spellchecker_service.domain.ports import SpellChecker
from spellchecker_service.domain.rules import RULES

LEARNER_DIR = "sv_learner_dev"
SEED = 20261207


def learner_sentences(corpus: Path, lexicon: HunspellLexicon) -> list[Annotated]:
    """The annotated Swedish learner sentences, each with its error's category."""
    items: list[Annotated] = []
    for path in sorted((corpus / LEARNER_DIR).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            incorrect, correction = str(row["incorrect"]), str(row["correction"])
            category = category_of(incorrect, correction)
            real_word = category == "spelling" and all(
                lexicon.accepts(w) for w in incorrect.split()
            )
            error = (int(row["start"]), int(row["end"]), correction)
            items.append(Annotated(str(row["sentence"]), [error], category, real_word))
    return items


def score_swedish(items: list[Annotated], checker: SpellChecker, lexicon: HunspellLexicon) -> None:
    """Ours against plain libhunspell on the learner sentences."""
    rules = RULES[Language.SWEDISH]
    ours, plain = Score(), Score()
    started = time.perf_counter()
    for item in items:
        ours.add(item, as_flags(check_text(item.text, checker, rules).misspellings))
    seconds = time.perf_counter() - started
    for item in items:
        plain.add(item, libhunspell_flags(item.text, lexicon))
    print(f"== sv: {LEARNER_DIR}, {len(items)} sentences (ours checked in {seconds:.1f} s)")
    for line in ours.lines("ours") + plain.lines("hunspell"):
        print(f"   {line}")
    print(f"   our false alarms: {_examples(ours.false_alarms)}")
    nonwords = sum(
        n for w, n in ours.false_alarms.items() if not all(map(lexicon.accepts, w.split()))
    )
    on_errors = ours.flags - sum(ours.false_alarms.values())
    adjusted = on_errors / (ours.flags - nonwords) if ours.flags > nonwords else 1.0
    print(
        f"   of them {nonwords} on words hunspell rejects too (misspellings outside the annotated"
        f" span: sentences recur with one error annotated each); without them precision"
        f" {adjusted:.3f}"
    )
    real = ours.errors["real-word"]
    print(
        f"   real-word errors (hunspell accepts the word as written): {real} of"
        f" {ours.errors['all']}, so a dictionary's recall ceiling is"
        f" {1 - real / ours.errors['all']:.3f} without a model of context"
    )


def score_english(texts: list[str], checker: SpellChecker, lexicon: HunspellLexicon) -> None:
    """Ours against plain libhunspell on the essays with injected learner slips."""
    rules = RULES[Language.ENGLISH]
    rng = random.Random(SEED)
    ours, plain = Score(), Score()
    real_words = 0
    for text in texts:
        try:
            before = check_text(text, checker, rules).misspellings
        except UncheckableText:
            continue
        item, made_real = inject(text, checked_words(text, rules), checker.is_correct, rng)
        real_words += made_real
        known = frozenset(m.word for m in before)
        ours.add(item, as_flags(check_text(item.text, checker, rules).misspellings), known)
        plain.add(item, libhunspell_flags(item.text, lexicon), known)
    print(
        f"== en: {len(texts)} essays, {ours.errors['all']} injected slips "
        f"({real_words} more slips made real words and were not used)"
    )
    for line in ours.lines("ours") + plain.lines("hunspell"):
        print(f"   {line}")
    print(f"   our false alarms: {_examples(ours.false_alarms)}")


def rule_flags_on_edited_text(texts: list[str], checker: SpellChecker) -> None:
    """Compound and capitalisation flags on edited Swedish (speeches): each is a false alarm."""
    rules = RULES[Language.SWEDISH]
    words = sum(len(t.split()) for t in texts)
    flags: Counter[str] = Counter()
    for text in texts:
        for m in check_text(text, checker, rules).misspellings:
            if m.category is not FlagCategory.SPELLING:
                flags[f"{m.category.value}: {m.word}"] += 1
    print(
        f"== sv: {len(texts)} edited texts ({words} words): compound and capitalisation flags "
        f"(all false alarms) {sum(flags.values())}: {_examples(flags)}"
    )


def _examples(counter: Counter[str]) -> str:
    return ", ".join(f"{w} {n}" for w, n in counter.most_common(15)) or "-"


def main() -> None:
    """Load each language's checker as the service does; print gold and agreement figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=default_corpus(), help="folder of texts")
    parser.add_argument("--language", choices=[lang.value for lang in Language], default=None)
    args, _ = parser.parse_known_args()
    if not args.corpus.is_dir():
        print(f"feedback quality: no corpus at {args.corpus}; nothing measured")
        return
    settings = SpellcheckerSettings()
    loaders = checker_loaders(settings)
    dictionaries = {
        Language.SWEDISH: [settings.swedish_dictionary_path],
        Language.ENGLISH: list(settings.english_dictionary_paths),
    }
    for language in Language:
        if args.language not in (None, language.value):
            continue
        started = time.perf_counter()
        checker = loaders[language]()
        lexicon = HunspellLexicon(dictionaries[language])
        print(f"({language.value} checker loaded in {time.perf_counter() - started:.1f} s)")
        folder = args.corpus / ("sv" if language is Language.SWEDISH else "en")
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
        learner = learner_sentences(args.corpus, lexicon) if language is Language.SWEDISH else []
        if learner:
            score_swedish(learner, checker, lexicon)
        if language is Language.SWEDISH and texts:
            rule_flags_on_edited_text(texts, checker)
        if language is Language.ENGLISH and texts:
            score_english(texts, checker, lexicon)
        if shutil.which("hunspell") is None:
            print(
                "   (the hunspell CLI is missing: apt-get install hunspell; no agreement figures)"
            )
            continue
        agreement(language, texts + [a.text for a in learner], checker, dictionaries[language])


if __name__ == "__main__":
    main()
