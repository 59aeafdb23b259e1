"""What erasing a student asks of the services that hold copies of their data.

The student's essays are those whose association names them as the author: decided, or still
pending with them as the suggestion (a header only suggesting them, decided for another
student, is that student's essay). With `keep`, the File Service redacts the kept texts, so
the event carries the strings that name the student, sealed under the event PII key.
"""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from typing import Protocol

from class_management_service.domain.models import Student
from class_management_service.domain.records import AuthoredEssay
from common_core.enums import EssayErasureMode
from common_core.events import ErasedEssay, StudentErasureRequestedV1

# Shorter strings are not names worth masking across a whole essay ("Al" would hit "al").
MIN_TERM_CHARS = 2


class Sealer(Protocol):
    """Encrypts a value for the bus (the event PII key ring)."""

    def encrypt_text(self, value: str) -> str:
        """A token only the holders of the event PII key can open."""
        ...


def essays_by(student_id: str, associations: Iterable[AuthoredEssay]) -> list[AuthoredEssay]:
    """The associations whose author is the student (decided, or pending as suggested)."""
    return [a for a in associations if a.student_id == student_id]


def _folded(value: str) -> str:
    """Without diacritics ("Åsa Öberg" -> "Asa Oberg"): how headers and spell checks write it."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def redaction_terms(student: Student, essays: Sequence[AuthoredEssay]) -> list[str]:
    """Every string that names the student: roster name and parts, email, parsed headers."""
    found = [
        f"{student.first_name} {student.last_name}",
        f"{student.last_name} {student.first_name}",
        *student.first_name.split(),
        *student.last_name.split(),
        student.email,
    ]
    for essay in essays:
        found.extend(v for v in (essay.parsed_name, essay.parsed_email) if v)
    terms: dict[str, None] = {}
    for term in found:
        for variant in (" ".join(term.split()), _folded(" ".join(term.split()))):
            if len(variant) >= MIN_TERM_CHARS:
                terms.setdefault(variant, None)
    return list(terms)


def erasure_requested(
    student: Student,
    essays: Sequence[AuthoredEssay],
    mode: EssayErasureMode,
    sealer: Sealer,
) -> StudentErasureRequestedV1:
    """The fan-out event: the essays' ids, the teacher's choice and (keep) the sealed terms."""
    sealed: str | None = None
    if mode is EssayErasureMode.KEEP and essays:
        terms = redaction_terms(student, essays)
        sealed = sealer.encrypt_text(json.dumps(terms, ensure_ascii=False))
    return StudentErasureRequestedV1(
        erasure_id=str(uuid.uuid4()),
        student_id=student.student_id,
        user_id=student.user_id,
        essay_mode=mode,
        essays=[
            ErasedEssay(
                batch_id=e.batch_id,
                file_upload_id=e.file_upload_id,
                essay_id=e.essay_id,
                text_storage_id=e.text_storage_id,
            )
            for e in essays
        ],
        redaction_terms_ciphertext=sealed,
    )
