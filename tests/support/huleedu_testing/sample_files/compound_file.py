"""Hand-built OLE2 compound files: a password-protected .docx and a legacy .doc.

Word saves a protected .docx as a compound file holding `EncryptionInfo` and
`EncryptedPackage` streams. `compound_file_bytes` lays out a minimal but well-formed version 3
file (512-byte sectors): header, one FAT sector, one directory sector, then the streams in
regular sectors (each at least 4096 bytes, the mini-stream cutoff, so no mini FAT is needed).
The encrypted .docx carries a plausible agile-encryption header (its XML padded with spaces)
and random ciphertext; the `\\x06DataSpaces` storage real files also have is left out.
"""

from __future__ import annotations

import random
import struct

_SECTOR = 512
_FREE, _END_OF_CHAIN, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_MINI_STREAM_CUTOFF = 4096
_ENCRYPTION_INFO = (
    b"\x04\x00\x04\x00\x40\x00\x00\x00"
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
    b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
    b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"/>'
    b"</encryption>"
)


def encrypted_docx_bytes(plaintext_size: int = 8192, seed: int = 0) -> bytes:
    """A compound file with EncryptionInfo and EncryptedPackage streams, as Word writes them."""
    ciphertext = random.Random(seed).randbytes(-(-plaintext_size // 16) * 16)
    return compound_file_bytes(
        {
            "EncryptionInfo": _ENCRYPTION_INFO.ljust(_MINI_STREAM_CUTOFF, b" "),
            "EncryptedPackage": struct.pack("<Q", plaintext_size) + ciphertext,
        }
    )


def legacy_doc_bytes() -> bytes:
    """A compound file shaped like an old Word 97-2003 .doc (WordDocument and 1Table streams)."""
    word_document = b"\xec\xa5\xc1\x00" + bytes(_MINI_STREAM_CUTOFF - 4)
    return compound_file_bytes(
        {"WordDocument": word_document, "1Table": bytes(_MINI_STREAM_CUTOFF)}
    )


def compound_file_bytes(streams: dict[str, bytes]) -> bytes:
    """A version 3 compound file holding up to three streams of at least 4096 bytes each."""
    if not 1 <= len(streams) <= 3 or any(len(s) < _MINI_STREAM_CUTOFF for s in streams.values()):
        raise ValueError("one to three streams of at least 4096 bytes (no mini stream)")
    # Sector 0 holds the FAT, sector 1 the directory, then the streams back to back.
    fat = [_FAT_SECTOR, _END_OF_CHAIN]
    entries = [_entry("Root Entry", 5, child=1, start=_END_OF_CHAIN, size=0)]
    for number, (name, data) in enumerate(streams.items(), start=1):
        start, count = len(fat), _sectors_for(len(data))
        fat += _chain(start, count)
        right = number + 1 if number < len(streams) else _NO_STREAM
        entries.append(_entry(name, 2, right=right, start=start, size=len(data)))
    if len(fat) > _SECTOR // 4:
        raise ValueError("streams too large for a single FAT sector")
    fat += [_FREE] * (_SECTOR // 4 - len(fat))
    entries += [_entry("", 0, start=0, size=0)] * (4 - len(entries))
    sectors = [struct.pack(f"<{_SECTOR // 4}I", *fat), *entries]
    return b"".join((_header(), *sectors, *(_pad(data) for data in streams.values())))


def _header() -> bytes:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    # minor version, major version 3, little-endian mark, 512-byte sectors, 64-byte mini sectors
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + bytes(6)
    # directory sectors (0 in v3), FAT sectors, first directory sector, transaction signature,
    # mini stream cutoff, first mini FAT sector, mini FAT sectors, first DIFAT sector, DIFAT
    header += struct.pack(
        "<9I", 0, 1, 1, 0, _MINI_STREAM_CUTOFF, _END_OF_CHAIN, 0, _END_OF_CHAIN, 0
    )
    header += struct.pack("<109I", 0, *([_FREE] * 108))
    return header


def _entry(
    name: str, kind: int, *, start: int, size: int, child: int = _NO_STREAM, right: int = _NO_STREAM
) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00" if name else b""
    color_black = 1
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded,
        len(encoded),
        kind,
        color_black,
        _NO_STREAM,
        right,
        child,
        bytes(16),
        0,
        0,
        0,
        start,
        size,
    )


def _sectors_for(size: int) -> int:
    return -(-size // _SECTOR)


def _chain(start: int, count: int) -> list[int]:
    return [*range(start + 1, start + count), _END_OF_CHAIN]


def _pad(data: bytes) -> bytes:
    return data.ljust(_sectors_for(len(data)) * _SECTOR, b"\x00")
