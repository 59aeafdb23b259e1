"""Turn the bytes of a plain-text upload into text, whatever encoding the student's editor used."""

from __future__ import annotations

import codecs
import unicodedata

from common_core.errors import ErrorCode
from file_service.domain.errors import FileRejected

# UTF-32 before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE mark.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE_BYTES = 4096
# Control bytes that never appear in text written by a person (tab, newlines, form feed and
# the DOS end-of-file marker do).
_BINARY_CONTROLS = bytes(sorted(set(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1A} | {0x7F}))
_MAX_CONTROL_SHARE = 0.02


def decode_text(data: bytes) -> str:
    """Decode text bytes (UTF-8/16/32 with or without BOM, else Windows-1252) to NFC text."""
    text = _decode(data)
    if "\x00" in text:
        raise _undecodable()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def looks_like_text(data: bytes) -> bool:
    """True when the bytes read as text: a Unicode BOM, UTF-16 without BOM, or few control bytes."""
    if any(data.startswith(bom) for bom, _ in _BOMS) or _utf16_without_bom(data):
        return True
    sample = data[:_SAMPLE_BYTES]
    if b"\x00" in sample:
        return False
    controls = len(sample) - len(sample.translate(None, _BINARY_CONTROLS))
    return controls <= _MAX_CONTROL_SHARE * len(sample)


def _decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_strictly(data[len(bom) :], encoding)
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _decode_strictly(data, utf16)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8: Windows-1252 is what Swedish Windows editors (Notepad, old Word) write.
        return _decode_strictly(data, "cp1252")


def _decode_strictly(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable() from exc


def _utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16 byte order if NUL bytes sit in every other position, as Latin text gives."""
    sample = data[: _SAMPLE_BYTES - _SAMPLE_BYTES % 2]
    pairs = len(sample) // 2
    if pairs == 0:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls >= 0.3 * pairs and even_nuls <= 0.05 * pairs:
        return "utf-16-le"
    if even_nuls >= 0.3 * pairs and odd_nuls <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _undecodable() -> FileRejected:
    return FileRejected(
        ErrorCode.CORRUPT_FILE,
        "The text file could not be decoded; save it as UTF-8 text and upload it again.",
    )
