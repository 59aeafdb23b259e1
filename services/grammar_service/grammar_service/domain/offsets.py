"""UTF-16 code units (what LanguageTool counts, as Java strings do) to Python code points."""

from __future__ import annotations

from bisect import bisect_right


class Utf16Offsets:
    """Converts UTF-16 offsets into one text to code-point offsets (`text[start:end]`).

    Every character outside the Basic Multilingual Plane (emoji, mathematical letters) is
    one code point but two UTF-16 units, so each one before a match moves LanguageTool's
    offset one further than Python's. Texts without any convert for free.
    """

    def __init__(self, text: str) -> None:
        # Code-point positions of the characters that take two UTF-16 units, in order.
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        # The UTF-16 offset at which each of them starts.
        self._astral_units = [i + n for n, i in enumerate(self._astral)]
        self._length = len(text)

    def to_code_points(self, units: int) -> int:
        """The code-point offset of a UTF-16 offset (one inside a pair rounds down)."""
        # Pairs that start before `units`: each added one unit more than a code point.
        before = bisect_right(self._astral_units, units - 1)
        return max(0, min(units - before, self._length))
