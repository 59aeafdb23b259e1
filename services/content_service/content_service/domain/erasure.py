"""Erasing a student's essays from the store: let go of blobs, or mask the student's name.

A batch lets go of the blobs it held (and of those derived from them, its corrected texts); a
blob that no other batch holds is deleted, one another batch still holds stays for it. Texts
kept without their author are redacted in place: every whole-word, case-insensitive
occurrence of a term (the student's name, email, ...) becomes as many mask characters, so
character offsets into the text (spell-check findings) stay valid and ids stay the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from content_service.domain.content import (
    CONTENT_ID_PATTERN,
    HOLDER_PATTERN,
    InvalidReference,
    StoredContent,
)

MASK = "\u2588"  # a full block: unmistakably removed, one character per character

# Stored bytes -> redacted bytes; None when the blob is not text (it cannot be redacted).
Redact = Callable[[StoredContent], bytes | None]


@dataclass(frozen=True)
class ErasureResult:
    """What one erasure did to the store."""

    deleted: int = 0
    kept_for_other_holders: int = 0
    redacted: int = 0


class ContentErasureRepository(Protocol):
    """The store's side of an erasure, in one transaction."""

    async def erase(
        self, holder: str, delete_ids: Sequence[str], redact_ids: Sequence[str], redact: Redact
    ) -> ErasureResult:
        """Release `holder`'s hold on `delete_ids` and their derived blobs (deleting those no
        one else holds); rewrite `redact_ids` and their derived blobs with `redact`."""
        ...


def terms_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for every term, longest first, whole words, any case, any spacing."""
    cleaned = sorted({" ".join(t.split()) for t in terms if t.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = [r"\s+".join(re.escape(word) for word in t.split(" ")) for t in cleaned]
    # A trailing possessive ("Åsas", "Åsa's") still names the student.
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?:'?s)?(?!\w)", re.IGNORECASE)


def redact_text(text: str, pattern: re.Pattern[str]) -> str:
    """The text with every match masked character for character (whitespace kept)."""
    return pattern.sub(lambda m: "".join(c if c.isspace() else MASK for c in m.group(0)), text)


def is_text(content_type: str) -> bool:
    """True for the blobs redaction understands (extracted and corrected texts)."""
    return content_type.strip().lower().startswith("text/")


def redactor(terms: Sequence[str]) -> Redact:
    """A Redact function masking `terms` in UTF-8 text blobs."""
    pattern = terms_pattern(terms)

    def redact(content: StoredContent) -> bytes | None:
        if not is_text(content.content_type):
            return None
        try:
            text = content.data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if pattern is None:
            return content.data
        return redact_text(text, pattern).encode("utf-8")

    return redact


class EraseContent:
    """Apply one batch's part of a student erasure to the store."""

    def __init__(self, repository: ContentErasureRepository, max_ids: int) -> None:
        self._repository = repository
        self._max_ids = max_ids

    async def execute(
        self,
        holder: str,
        delete_ids: Sequence[str],
        redact_ids: Sequence[str],
        terms: Sequence[str],
    ) -> ErasureResult:
        """Validate the request, then erase in one transaction (idempotent: safe to repeat)."""
        if not HOLDER_PATTERN.match(holder):
            raise InvalidReference("holder")
        for field, ids in (("delete", delete_ids), ("redact", redact_ids)):
            if len(ids) > self._max_ids or any(not CONTENT_ID_PATTERN.match(i) for i in ids):
                raise InvalidReference(field)
        if redact_ids and not any(t.strip() for t in terms):
            raise InvalidReference("terms")
        deleting = list(dict.fromkeys(delete_ids))
        redacting = [i for i in dict.fromkeys(redact_ids) if i not in set(deleting)]
        return await self._repository.erase(holder, deleting, redacting, redactor(terms))
