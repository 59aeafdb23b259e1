"""Decide an upload's format from its content; its name only decides if plain text is welcome.

Recognised containers (PDF, RTF, .docx, .odt) are read as what they are whatever they are
called. Plain text is accepted under a supported extension (.txt, .text, .md, .markdown, .docx,
.odt, .pdf, .rtf) or no extension at all; text under any other name (.csv, .html, .exe ...)
is refused, because such files hold markup or data rather than an essay.
"""

from __future__ import annotations

from enum import StrEnum

from common_core.errors import ErrorCode
from file_service.domain.errors import FileRejected
from file_service.domain.formats import ole2, zip_archive
from file_service.domain.text_decoding import looks_like_text


class FileType(StrEnum):
    """The formats an essay can be extracted from."""

    TXT = "txt"
    MD = "md"
    DOCX = "docx"
    ODT = "odt"
    PDF = "pdf"
    RTF = "rtf"


SUPPORTED_FORMATS = ".docx, .odt, .pdf, .rtf, .txt or .md"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_TEXT_EXTENSIONS = {"md": FileType.MD, "markdown": FileType.MD}
_TEXT_WELCOME = {"", "txt", "text", "md", "markdown", "docx", "odt", "pdf", "rtf"}
# PDF readers accept the header anywhere in the first KiB, after junk some tools write.
_PDF_HEADER_WINDOW = 1024
_LEADING_NOISE = b"\xef\xbb\xbf \t\r\n"
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (4, b"ftyp", "a photo or video (HEIC/MP4)"),
    (0, b"\x7fELF", "a program"),
    (0, b"Rar!\x1a\x07", "a RAR archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"\x1f\x8b", "a gzip archive"),
)


def detect_file_type(data: bytes, filename: str) -> FileType:
    """The upload's format, judged by its bytes; FileRejected if no essay can be read from it."""
    start = data[:_PDF_HEADER_WINDOW].lstrip(_LEADING_NOISE)
    if start.startswith(b"%PDF-"):
        return FileType.PDF
    if start.startswith(b"{\\rtf"):
        return FileType.RTF
    if data.startswith(zip_archive.SIGNATURE):
        return _zip_type(data)
    if data.startswith(ole2.SIGNATURE):
        raise _compound_file_rejection(data)
    for offset, signature, kind in _SIGNATURES:
        if data.startswith(signature, offset):
            raise _unsupported(f"The file is {kind}, not a text document")
    if looks_like_text(data):
        return _text_type(filename)
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return FileType.PDF
    raise _unsupported("The file is not a text document")


def extension_of(filename: str) -> str:
    """The lower-case extension without its dot, or "" when the name has none."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    return extension.lower() if dot and stem else ""


def _text_type(filename: str) -> FileType:
    extension = extension_of(filename)
    if extension not in _TEXT_WELCOME:
        raise _unsupported(f"Files ending in .{extension} are not supported")
    return _TEXT_EXTENSIONS.get(extension, FileType.TXT)


def _zip_type(data: bytes) -> FileType:
    with zip_archive.open_archive(data) as archive:
        if "word/document.xml" in archive.namelist():
            return FileType.DOCX
        try:
            mimetype = zip_archive.read_small_entry(archive, "mimetype", len(ODT_MIMETYPE) + 16)
        except zip_archive.ZIP_ERRORS as exc:
            raise zip_archive.damaged() from exc
    if mimetype is not None and mimetype.strip() == ODT_MIMETYPE:
        return FileType.ODT
    raise _unsupported(
        "The file is a ZIP archive but not a Word (.docx) or OpenDocument text (.odt) document"
    )


def _compound_file_rejection(data: bytes) -> FileRejected:
    try:
        names = ole2.stream_names(data)
    except ole2.MalformedCompoundFile:
        return FileRejected(
            ErrorCode.CORRUPT_FILE,
            "The file looks like an old-style Office document but is damaged; "
            f"save it as {SUPPORTED_FORMATS} and upload it again.",
        )
    if "EncryptedPackage" in names:
        return FileRejected(
            ErrorCode.PASSWORD_PROTECTED,
            "The Word document is password-protected; remove the password "
            "(File > Info > Protect Document) and upload it again.",
        )
    return FileRejected(
        ErrorCode.UNSUPPORTED_FILE_TYPE,
        "Old-style Office files (.doc) are not supported; open the file in Word, "
        "save it as .docx and upload it again.",
    )


def _unsupported(reason: str) -> FileRejected:
    return FileRejected(
        ErrorCode.UNSUPPORTED_FILE_TYPE,
        f"{reason}; upload the essay as {SUPPORTED_FORMATS}.",
    )
