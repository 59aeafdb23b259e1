"""The text of a PDF, page by page, read with pypdf."""

from __future__ import annotations

import io

from pypdf import PasswordType, PdfReader

from common_core.errors import ErrorCode
from file_service.domain.errors import FileRejected
from file_service.domain.text_cleanup import tidy_text


def pdf_pages(data: bytes, max_chars: int) -> list[str]:
    """Tidied text of each page, stopping once the text is longer than max_chars."""
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        _unlock(reader)
    pages: list[str] = []
    total = 0
    for page in reader.pages:
        text = tidy_text(page.extract_text())
        pages.append(text)
        total += len(text)
        # Reading further pages of an essay that is already too long only costs time.
        if total > max_chars:
            break
    return pages


def _unlock(reader: PdfReader) -> None:
    # Owner-password-only PDFs ("no copying, no printing") open with the empty user password.
    try:
        unlocked = reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except Exception:  # pypdf raises several types for encryption it cannot handle
        unlocked = False
    if not unlocked:
        raise FileRejected(
            ErrorCode.PASSWORD_PROTECTED,
            "The PDF is password-protected; upload an unprotected copy.",
        )
