"""Extract an essay's text from the bytes of a file whose format is already known."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from common_core.errors import ErrorCode
from file_service.domain.errors import FileRejected
from file_service.domain.file_types import FileType
from file_service.domain.formats import zip_archive
from file_service.domain.formats.docx import docx_blocks
from file_service.domain.formats.odt import odt_blocks
from file_service.domain.formats.pdf import pdf_pages
from file_service.domain.formats.rtf import rtf_text
from file_service.domain.limits import ValidationLimits
from file_service.domain.text_cleanup import tidy_text
from file_service.domain.text_decoding import decode_text

_KIND = {
    FileType.TXT: "text file",
    FileType.MD: "text file",
    FileType.DOCX: "Word document",
    FileType.ODT: "OpenDocument text",
    FileType.PDF: "PDF",
    FileType.RTF: "RTF document",
}
_NO_TEXT_DETAIL = {
    FileType.PDF: " (it looks scanned or made of images); upload the original document or a "
    "PDF exported from a word processor",
}


def extract_text(data: bytes, file_type: FileType, limits: ValidationLimits) -> str:
    """The tidied text of the file; FileRejected when it is damaged, locked, a bomb or textless."""
    if file_type in (FileType.TXT, FileType.MD):
        # Whitespace-only text is an empty file, which the caller reports as such.
        return tidy_text(decode_text(data))
    with _reading(file_type):
        text = tidy_text(_raw_text(data, file_type, limits))
    if not text:
        detail = _NO_TEXT_DETAIL.get(file_type, "; upload the document that contains the essay")
        raise FileRejected(
            ErrorCode.NO_EXTRACTABLE_TEXT, f"The {_KIND[file_type]} contains no text{detail}."
        )
    return text


def _raw_text(data: bytes, file_type: FileType, limits: ValidationLimits) -> str:
    if file_type is FileType.PDF:
        return "\n".join(pdf_pages(data, limits.max_chars))
    if file_type is FileType.RTF:
        return rtf_text(data)
    with zip_archive.open_archive(data) as archive:
        zip_archive.check_archive(archive, limits)
        blocks = docx_blocks(archive) if file_type is FileType.DOCX else odt_blocks(data)
    return "\n\n".join(blocks)


@contextmanager
def _reading(file_type: FileType) -> Iterator[None]:
    """Turn whatever a parser raises on a damaged file into CORRUPT_FILE."""
    try:
        yield
    except FileRejected:
        raise
    except Exception as exc:  # parsers raise many types (lxml, zipfile, SAX, KeyError ...)
        raise FileRejected(
            ErrorCode.CORRUPT_FILE,
            f"The {_KIND[file_type]} is damaged and its text could not be read; "
            "open it, save it again and upload it again.",
        ) from exc
