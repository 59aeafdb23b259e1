"""Open the ZIP container of a .docx or .odt safely: damaged archives and bombs are refused."""

from __future__ import annotations

import io
import zipfile

from common_core.errors import ErrorCode
from file_service.domain.errors import FileRejected
from file_service.domain.limits import ValidationLimits

SIGNATURE = b"PK\x03\x04"
# zipfile raises these for damaged archives besides BadZipFile.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError)
_ENCRYPTED_FLAG = 0x1


def open_archive(data: bytes) -> zipfile.ZipFile:
    """The archive's central directory, or CORRUPT_FILE when it cannot be read."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as exc:
        raise damaged() from exc


def damaged() -> FileRejected:
    """The rejection for a ZIP container that cannot be read."""
    return FileRejected(
        ErrorCode.CORRUPT_FILE,
        "The document is damaged (its ZIP container is incomplete or broken); "
        "open it in your word processor, save it again and upload it again.",
    )


def check_archive(archive: zipfile.ZipFile, limits: ValidationLimits) -> None:
    """Refuse archives whose declared sizes make them bombs, before anything is decompressed."""
    # zipfile never inflates an entry past its declared size, so trusting the central
    # directory is safe: an entry that lies about its size fails its CRC instead.
    entries = archive.infolist()
    if any(entry.flag_bits & _ENCRYPTED_FLAG for entry in entries):
        raise FileRejected(
            ErrorCode.PASSWORD_PROTECTED,
            "The document is password-protected; upload an unprotected copy.",
        )
    uncompressed = sum(entry.file_size for entry in entries)
    compressed = sum(entry.compress_size for entry in entries)
    too_big = uncompressed > limits.max_uncompressed_bytes
    if too_big or uncompressed > limits.max_compression_ratio * max(compressed, 1):
        raise FileRejected(
            ErrorCode.ARCHIVE_BOMB,
            f"The document would unpack to {uncompressed:,} bytes from {compressed:,} "
            "(a ZIP bomb or an abnormally padded file); it was not opened.",
        )


def read_small_entry(archive: zipfile.ZipFile, name: str, max_bytes: int) -> bytes | None:
    """The entry's bytes if it exists, is not encrypted and declares at most max_bytes."""
    try:
        entry = archive.getinfo(name)
    except KeyError:
        return None
    if entry.file_size > max_bytes or entry.flag_bits & _ENCRYPTED_FLAG:
        return None
    return archive.read(entry)
