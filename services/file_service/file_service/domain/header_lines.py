"""The first lines of an essay, where students write their name, class and course."""

from __future__ import annotations

import re

# Longer lines are essay prose, not header fields.
MAX_HEADER_LINE_CHARS = 100

_MARKUP = re.compile(r"^[#>\s]+|\*\*|__")


def header_lines(text: str, max_lines: int) -> list[str]:
    """The first max_lines non-empty lines, without Markdown heading and emphasis marks."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = _MARKUP.sub("", raw).strip()
        if line:
            lines.append(line)
            if len(lines) == max_lines:
                break
    return lines
