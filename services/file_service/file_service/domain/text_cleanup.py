"""Whitespace and character clean-up applied to text extracted from every format."""

from __future__ import annotations

import re
import unicodedata

_NEWLINES = {ord(c): "\n" for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}
_SPACES = {ord(c): " " for c in "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"}
_SPACES |= {ord(c): " " for c in "\u2009\u200a\u202f\u205f\u3000"}
# Invisible characters that only split words for the spell checker: zero-width space, soft
# hyphen (PDF and Word hyphenation), direction marks, word joiner, stray byte-order marks.
_INVISIBLE = {ord(c): None for c in "\u200b\u00ad\u200e\u200f\u2060\ufeff"}
_CONTROLS = {c: None for c in range(0x20) if c not in (0x09, 0x0A)} | {0x7F: None}
_TABLE: dict[int, str | None] = {**_CONTROLS, **_INVISIBLE, **_SPACES, **_NEWLINES}
# Searching for the few special characters is much faster than str.translate over every one.
_SPECIAL = re.compile("[" + re.escape("".join(map(chr, _TABLE))) + "]")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy_text(text: str) -> str:
    """NFC text, \\n newlines, no invisible characters, trailing spaces or extra blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPECIAL.sub(lambda match: _TABLE[ord(match.group())] or "", text)
    text = _TRAILING_SPACE.sub("", unicodedata.normalize("NFC", text))
    return _BLANK_RUNS.sub("\n\n", text).strip()
