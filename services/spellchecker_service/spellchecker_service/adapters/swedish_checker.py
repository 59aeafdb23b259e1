"""Swedish: hunspell rules (spylls) decide; a word list built from the same dictionary
suggests single-edit fixes in well under a millisecond, and only forms hunspell accepts."""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from pathlib import Path

from spylls.hunspell import Dictionary  # type: ignore[import-untyped]

from common_core.enums import Language
from spellchecker_service.domain.edits import candidates, rank

logger = logging.getLogger(__name__)

FORMS_FILE = "sv_SE.forms.txt"


class SwedishChecker:
    """Detection by hunspell's affix and compound rules; suggestions from expanded word forms."""

    language = Language.SWEDISH

    def __init__(self, dictionary_path: str, cache_dir: Path) -> None:
        self._hunspell = Dictionary.from_files(dictionary_path)
        self._base_forms = read_base_forms(Path(dictionary_path + ".dic"))
        self._forms = load_forms(dictionary_path, cache_dir) or self._base_forms
        # Essays repeat their words: remember hunspell's verdicts (bounded; thread-safe).
        self._lookup = functools.lru_cache(maxsize=200_000)(self._hunspell.lookup)

    def is_correct(self, word: str) -> bool:
        """Hunspell's verdict (productive compounds such as "fotbollsträning" included)."""
        return bool(self._lookup(word))

    def suggest(self, word: str, limit: int) -> list[str]:
        """One-edit fixes (learner-weighted), never a form hunspell rejects."""
        lower = word.lower()
        found = candidates(lower, self._forms, self._accepts)
        return rank(lower, found, self._base_forms, limit)

    def _accepts(self, word: str) -> bool:
        return bool(self._lookup(word))


def read_base_forms(dic_path: Path) -> frozenset[str]:
    """The dictionary's stems (lower-case, letters only): the words it lists itself."""
    lines = dic_path.read_text(encoding="utf-8").splitlines()[1:]
    stems = (line.split("/", 1)[0].strip() for line in lines)
    return frozenset(s for s in stems if len(s) > 1 and s.isalpha() and s.islower())


def load_forms(dictionary_path: str, cache_dir: Path) -> frozenset[str] | None:
    """Every inflected form (unmunch), built once into cache_dir; None when unmunch is absent."""
    cached = cache_dir / FORMS_FILE
    if not cached.exists() and not build_forms(dictionary_path, cached):
        return None
    words = cached.read_text(encoding="utf-8").split("\n")
    return frozenset(w for w in words if w)


def build_forms(dictionary_path: str, target: Path) -> bool:
    """Expand the dictionary with hunspell-tools' unmunch (about 0.2 s) into a plain word list."""
    unmunch = shutil.which("unmunch")
    if unmunch is None:
        logger.warning("unmunch not found; Swedish suggestions use dictionary stems only")
        return False
    result = subprocess.run(  # noqa: S603 - fixed binary, our own dictionary paths
        [unmunch, dictionary_path + ".dic", dictionary_path + ".aff"],
        capture_output=True,
        check=True,
    )
    lines = result.stdout.decode("utf-8", "replace").splitlines()
    words = sorted({w.strip() for w in lines if _is_plain_form(w.strip())})
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text("\n".join(words), encoding="utf-8")
    tmp.replace(target)
    return True


def _is_plain_form(word: str) -> bool:
    return len(word) > 1 and word.isalpha() and word.islower()
