"""A fingerprint of an essay's words, so one essay in two formats counts as one essay.

The same essay saved as .docx and exported to .pdf has different bytes, and its extracted text
differs too: PDF text breaks lines where the page ran out, word processors use typographic
quotes and dashes that a PDF font may lack, and PDFs often carry ligatures ("ﬁ"). The
fingerprint is therefore the sha256 of the text after
1. Unicode NFKC (ligatures, full-width and other compatibility forms become plain letters),
2. case folding,
3. typographic quotes, primes, dashes and minus signs folded to ASCII ' " -,
4. removing every whitespace character (line breaks and spacing never tell essays apart,
   and PDF extraction both adds and drops them).
Everything else (letters, digits, punctuation, the header with the student's name) counts,
so two students' essays differ even when their bodies are copied from the same source.
"""

from __future__ import annotations

import hashlib
import unicodedata

_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\u0060", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)


def normalise_for_comparison(text: str) -> str:
    """The text as the duplicate check compares it (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    return "".join(folded.split())


def text_fingerprint(text: str) -> str:
    """sha256 (hex) of the normalised text: equal for one essay in any supported format."""
    return hashlib.sha256(normalise_for_comparison(text).encode("utf-8")).hexdigest()
