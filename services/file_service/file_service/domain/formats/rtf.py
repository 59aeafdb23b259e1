"""The text of an RTF document, read with striprtf."""

from __future__ import annotations

import codecs
import re

from striprtf.striprtf import rtf_to_text

_CODE_PAGE = re.compile(rb"\\ansicpg(\d{3,5})")
_UTF8_BOM = b"\xef\xbb\xbf"


def rtf_text(data: bytes) -> str:
    """Plain text with \\'hh escapes decoded in the document's code page (default cp1252)."""
    encoding = _code_page(data)
    # RTF is 7-bit by definition; stray 8-bit bytes are read in the same code page.
    source = data.removeprefix(_UTF8_BOM).decode(encoding, errors="replace")
    text: str = rtf_to_text(source, encoding=encoding, errors="replace")  # type: ignore[no-untyped-call]
    return text


def _code_page(data: bytes) -> str:
    match = _CODE_PAGE.search(data[:2048])
    if match is None:
        return "cp1252"
    encoding = f"cp{int(match.group(1))}"
    try:
        codecs.lookup(encoding)
    except LookupError:
        return "cp1252"
    return encoding
