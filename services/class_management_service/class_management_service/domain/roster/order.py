"""Roster order: by last then first name as a Swedish teacher expects (å, ä, ö after z)."""

from __future__ import annotations

import unicodedata

from class_management_service.domain.models import Student

# Swedish letters sort after z, in this order; the characters chosen sort after "z" in
# code-point order. Other accents (é, ü) sort with their base letter.
_SWEDISH_LAST = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"})


def collation_key(text: str) -> str:
    """A case- and accent-insensitive key that keeps å, ä, ö after z."""
    folded = text.casefold().translate(_SWEDISH_LAST)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def roster_sort_key(student: Student) -> tuple[bool, str, str, str]:
    """Real students by last, first name; the class's placeholder last; id breaks ties."""
    return (
        student.is_placeholder,
        collation_key(student.last_name),
        collation_key(student.first_name),
        student.student_id,
    )
