"""Builders of real sample files (docx, odt, pdf, rtf, txt and hostile ones) and essays."""

from __future__ import annotations

from huleedu_testing.sample_files.compound_file import (
    compound_file_bytes,
    encrypted_docx_bytes,
    legacy_doc_bytes,
)
from huleedu_testing.sample_files.documents import (
    TEXT_ENCODINGS,
    corrupt_docx_bytes,
    docx_bytes,
    encrypted_pdf_bytes,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    rtf_bytes,
    scanned_pdf_bytes,
    txt_bytes,
    zip_bomb_docx_bytes,
)
from huleedu_testing.sample_files.essays import essay_text

__all__ = [
    "TEXT_ENCODINGS",
    "compound_file_bytes",
    "corrupt_docx_bytes",
    "docx_bytes",
    "encrypted_docx_bytes",
    "encrypted_pdf_bytes",
    "essay_text",
    "legacy_doc_bytes",
    "odt_bytes",
    "pdf_bytes",
    "png_bytes",
    "rtf_bytes",
    "scanned_pdf_bytes",
    "txt_bytes",
    "zip_bomb_docx_bytes",
]
