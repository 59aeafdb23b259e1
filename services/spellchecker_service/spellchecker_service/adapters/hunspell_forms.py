"""A hunspell dictionary's words as a plain list for generating suggestions: its stems, and
every inflected form expanded once with hunspell-tools' `unmunch`. Entries the dictionary
marks NOSUGGEST (vulgar or rare: "pissa", "alle") or FORBIDDENWORD (listed misspellings)
are left out, as hunspell's own suggest() leaves them out."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

FORMS_SUFFIX = ".suggestible-forms.txt"
_EXCLUDING_OPTIONS = ("NOSUGGEST", "FORBIDDENWORD")


def forms_cache_file(dictionary_path: str, cache_dir: Path) -> Path:
    """Where the expanded forms of this dictionary are cached."""
    return cache_dir / (Path(dictionary_path).name + FORMS_SUFFIX)


def suggestible_entries(dictionary_path: str) -> list[str]:
    """The .dic lines (stem/flags) whose words may be suggested."""
    aff = Path(dictionary_path + ".aff").read_text(encoding="utf-8").splitlines()
    options = dict(line.split(None, 1) for line in aff if len(line.split(None, 1)) == 2)
    flag_type = options.get("FLAG", "").strip()
    excluded = {options[o].strip() for o in _EXCLUDING_OPTIONS if o in options}
    lines = Path(dictionary_path + ".dic").read_text(encoding="utf-8").splitlines()[1:]
    return [line for line in lines if not excluded & _flags(line, flag_type)]


def read_base_forms(dictionary_path: str) -> frozenset[str]:
    """The suggestible stems (lower-case, letters only): the words the dictionary lists."""
    stems = (line.split("/", 1)[0].strip() for line in suggestible_entries(dictionary_path))
    return frozenset(s for s in stems if _is_plain_form(s))


def read_listed_names(dictionary_paths: list[str]) -> frozenset[str]:
    """Stems the dictionaries list capitalised ("Per", "Björn", "Sverige"): names, which a
    capitalisation rule must never lower-case."""
    names: set[str] = set()
    for path in dictionary_paths:
        lines = Path(path + ".dic").read_text(encoding="utf-8").splitlines()[1:]
        stems = (line.split("/", 1)[0].strip() for line in lines)
        names |= {s for s in stems if len(s) > 1 and s[0].isupper() and s[1:].islower()}
    return frozenset(names)


def load_forms(dictionary_path: str, cache_dir: Path) -> frozenset[str] | None:
    """Every suggestible form, built once into cache_dir; None when unmunch is absent."""
    cached = forms_cache_file(dictionary_path, cache_dir)
    if not cached.exists() and not build_forms(dictionary_path, cached):
        return None
    words = cached.read_text(encoding="utf-8").split("\n")
    return frozenset(w for w in words if w)


def build_forms(dictionary_path: str, target: Path) -> bool:
    """Expand the suggestible entries with unmunch (under a second) into a plain word list."""
    unmunch = shutil.which("unmunch")
    if unmunch is None:
        logger.warning("unmunch not found; suggestions use dictionary stems only")
        return False
    entries = suggestible_entries(dictionary_path)
    with tempfile.TemporaryDirectory(prefix="huleedu-unmunch-") as tmp:
        dic = Path(tmp) / "suggestible.dic"
        dic.write_text("\n".join([str(len(entries)), *entries]) + "\n", encoding="utf-8")
        result = subprocess.run(  # noqa: S603 - fixed binary, our own dictionary paths
            [unmunch, str(dic), dictionary_path + ".aff"], capture_output=True, check=True
        )
    lines = result.stdout.decode("utf-8", "replace").splitlines()
    words = sorted({w.strip() for w in lines if _is_plain_form(w.strip())})
    target.parent.mkdir(parents=True, exist_ok=True)
    # Per process: the checker processes of one worker may build the same file at once.
    tmp_target = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp_target.write_text("\n".join(words), encoding="utf-8")
    tmp_target.replace(target)
    return True


def _flags(entry: str, flag_type: str) -> set[str]:
    """An entry's flags: one character each, unless the .aff says FLAG long or num."""
    after_slash = entry.partition("/")[2].split()
    raw = after_slash[0] if after_slash else ""
    if flag_type == "long":
        return {raw[i : i + 2] for i in range(0, len(raw), 2)}
    if flag_type == "num":
        return set(raw.split(","))
    return set(raw)


def _is_plain_form(word: str) -> bool:
    return len(word) > 1 and word.isalpha() and word.islower()
