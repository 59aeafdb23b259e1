"""Real files in every format students upload, built from text for tests, benchmarks and demos.

Dev-only libraries (fpdf2) are imported inside the builders, so importing this module never
needs them.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

TEXT_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252")
# The PDF core fonts cover Latin-1 only: typographic quotes and dashes become ASCII.
_LATIN1_STAND_INS = str.maketrans("\u2018\u2019\u201c\u201d\u2013\u2014", "''\"\"--")


def docx_bytes(text: str) -> bytes:
    """A .docx with one paragraph per blank-line-separated block (single newlines become breaks)."""
    import docx

    document = docx.Document()
    for block in text.split("\n\n"):
        document.add_paragraph(block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_bytes(text: str) -> bytes:
    """An .odt with one paragraph per blank-line-separated block, built with odfpy."""
    from odf import teletype  # type: ignore[import-untyped]
    from odf.opendocument import OpenDocumentText  # type: ignore[import-untyped]
    from odf.text import P  # type: ignore[import-untyped]

    document = OpenDocumentText()
    for block in text.split("\n\n"):
        paragraph = P()
        teletype.addTextToElement(paragraph, block)
        document.text.addElement(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(text: str) -> bytes:
    """A text PDF set in Helvetica with fpdf2 (Latin-1, so å ä ö survive)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text.translate(_LATIN1_STAND_INS))
    return bytes(pdf.output())


def encrypted_pdf_bytes(text: str, password: str, *, owner_only: bool = False) -> bytes:
    """The text PDF encrypted with AES-256; owner_only leaves the user password empty."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(text))))
    user_password = "" if owner_only else password
    writer.encrypt(user_password=user_password, owner_password=password, algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def scanned_pdf_bytes() -> bytes:
    """A PDF page holding only an image and a drawn shape, like a scan: no text at all."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(230, 230, 230)
    pdf.rect(15, 15, 180, 260, style="F")
    pdf.image(io.BytesIO(png_bytes(width=64, height=64)), x=40, y=40, w=120)
    return bytes(pdf.output())


def rtf_bytes(text: str) -> bytes:
    """An RTF document in code page 1252: \\'hh escapes for å ä ö, \\uN for anything else."""
    header = r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss\fcharset0 Helvetica;}}\f0\fs24 "
    return (header + "".join(_rtf_char(char) for char in text) + "}").encode("ascii")


def txt_bytes(text: str, encoding: str, newline: str = "\n") -> bytes:
    """The text encoded as a plain-text editor would save it ("utf-16" writes a BOM)."""
    if encoding not in TEXT_ENCODINGS and encoding != "utf-16-be":
        raise ValueError(f"unsupported sample encoding {encoding!r}")
    return text.replace("\n", newline).encode(encoding)


def zip_bomb_docx_bytes(uncompressed_bytes: int = 60 * 1024 * 1024) -> bytes:
    """A docx-shaped ZIP whose zero-filled part declares uncompressed_bytes (a few KB on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("word/document.xml", _DOCUMENT_XML)
        chunk = bytes(1024 * 1024)
        with archive.open("word/media/image1.bin", "w") as entry:
            # Written in chunks so the bomb never sits in memory whole.
            for start in range(0, uncompressed_bytes, len(chunk)):
                entry.write(chunk[: min(len(chunk), uncompressed_bytes - start)])
    return buffer.getvalue()


def corrupt_docx_bytes() -> bytes:
    """A real .docx cut in half, as an interrupted download leaves it."""
    from huleedu_testing.sample_files.essays import essay_text

    data = docx_bytes(essay_text("en", 300))
    return data[: len(data) // 2]


def png_bytes(width: int = 1, height: int = 1) -> bytes:
    """A real grey PNG image of the given size."""
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        (
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows)),
            _png_chunk(b"IEND", b""),
        )
    )


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    checksum = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", checksum)


def _rtf_char(char: str) -> str:
    if char in "\\{}":
        return "\\" + char
    if char == "\n":
        return "\\par\n"
    if char == "\t":
        return "\\tab "
    if ord(char) < 128:
        return char
    try:
        return f"\\'{char.encode('cp1252')[0]:02x}"
    except UnicodeEncodeError:
        code = ord(char) if ord(char) < 32768 else ord(char) - 65536
        return f"\\u{code}?"


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Bomb</w:t></w:r></w:p></w:body></w:document>"
)
