"""Validate one uploaded file: accept it with its text, or reject it with a precise reason."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from common_core.errors import ErrorCode
from file_service.domain.errors import FileRejected
from file_service.domain.extraction import extract_text
from file_service.domain.file_types import FileType, detect_file_type, extension_of
from file_service.domain.limits import ValidationLimits
from file_service.domain.text_fingerprint import text_fingerprint

MAX_FILENAME_CHARS = 255


@dataclass(frozen=True)
class AcceptedFile:
    """A file whose essay text was extracted and is within the limits."""

    filename: str
    file_type: FileType
    data: bytes
    text: str
    content_sha256: str
    # Of the normalised text: the same essay as .docx and as .pdf has one fingerprint.
    text_sha256: str
    file_size_bytes: int
    char_count: int
    word_count: int


@dataclass(frozen=True)
class RejectedFile:
    """A file that cannot be used, with the reason a teacher can act on."""

    filename: str
    code: ErrorCode
    message: str
    file_size_bytes: int
    details: dict[str, Any] = field(default_factory=dict)


def validate_file(
    filename: str, data: bytes, limits: ValidationLimits
) -> AcceptedFile | RejectedFile:
    """Accept or reject one file; never raises for bad input (the filename is sanitised)."""
    name = sanitize_filename(filename)
    try:
        file_type, text = _read_essay(name, data, limits)
    except FileRejected as rejection:
        return RejectedFile(name, rejection.code, rejection.message, len(data))
    except Exception:  # a parser bug on a hostile file must not fail the whole upload
        message = "The file is damaged and its text could not be read; save it again and upload it."
        return RejectedFile(name, ErrorCode.CORRUPT_FILE, message, len(data))
    return AcceptedFile(
        filename=name,
        file_type=file_type,
        data=data,
        text=text,
        content_sha256=hashlib.sha256(data).hexdigest(),
        text_sha256=text_fingerprint(text),
        file_size_bytes=len(data),
        char_count=len(text),
        word_count=len(text.split()),
    )


def sanitize_filename(name: str) -> str:
    """The base name without directories or control characters, at most 255 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Format characters include right-to-left overrides that disguise "gpj.exe" as "exe.jpg".
    kept = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf"))
    cleaned = unicodedata.normalize("NFC", " ".join(kept.split()))
    if cleaned.strip(".") == "":
        return "unnamed"
    if len(cleaned) <= MAX_FILENAME_CHARS:
        return cleaned
    extension = extension_of(cleaned)
    if not extension or len(extension) > 16:
        return cleaned[:MAX_FILENAME_CHARS]
    stem = cleaned[: -(len(extension) + 1)]
    return f"{stem[: MAX_FILENAME_CHARS - len(extension) - 1]}.{extension}"


def _read_essay(name: str, data: bytes, limits: ValidationLimits) -> tuple[FileType, str]:
    if not data:
        raise FileRejected(ErrorCode.EMPTY_FILE, "The file is empty (0 bytes).")
    if len(data) > limits.max_file_bytes:
        raise FileRejected(
            ErrorCode.FILE_TOO_LARGE,
            f"The file is {_size(len(data))}; files may be at most {_size(limits.max_file_bytes)}.",
        )
    file_type = detect_file_type(data, name)
    text = extract_text(data, file_type, limits)
    if not text:
        raise FileRejected(ErrorCode.EMPTY_FILE, "The file contains only blank space.")
    if len(text) < limits.min_chars:
        raise FileRejected(
            ErrorCode.CONTENT_TOO_SHORT,
            f"The essay has {len(text):,} characters; at least {limits.min_chars:,} are needed.",
        )
    if len(text) > limits.max_chars:
        raise FileRejected(
            ErrorCode.CONTENT_TOO_LONG,
            f"The essay has {len(text):,} characters; at most {limits.max_chars:,} are allowed.",
        )
    return file_type, text


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB ({size:,} bytes)"
