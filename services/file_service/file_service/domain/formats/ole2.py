"""Just enough of the OLE2 compound file format (MS-CFB) to list the streams a file holds.

Password-protected .docx files are not ZIP archives: Word stores them as a compound file with
an `EncryptedPackage` stream, so listing the stream names tells them apart from legacy .doc.
"""

from __future__ import annotations

import struct

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_BYTES = 512
_HEADER_DIFAT_ENTRIES = 109
_DIR_ENTRY_BYTES = 128
_MAX_REGULAR_SECTOR = 0xFFFFFFFA
_END_OF_CHAIN = 0xFFFFFFFE
_STREAM = 2


class MalformedCompoundFile(ValueError):
    """The bytes start like a compound file but its structure does not hold together."""


def stream_names(data: bytes) -> list[str]:
    """Names of the streams in the compound file's directory."""
    if not data.startswith(SIGNATURE) or len(data) < _HEADER_BYTES:
        raise MalformedCompoundFile("not a compound file")
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise MalformedCompoundFile(f"unsupported sector shift {sector_shift}")
    sector_size = 1 << sector_shift
    fat = _read_fat(data, sector_size)
    first_dir_sector = struct.unpack_from("<I", data, 0x30)[0]
    names: list[str] = []
    for sector in _chain(fat, first_dir_sector):
        block = _sector(data, sector, sector_size)
        for offset in range(0, sector_size, _DIR_ENTRY_BYTES):
            name = _stream_name(block[offset : offset + _DIR_ENTRY_BYTES])
            if name is not None:
                names.append(name)
    return names


def _read_fat(data: bytes, sector_size: int) -> list[int]:
    fat_sector_count, _, _, _, _, first_difat, difat_count = struct.unpack_from("<7I", data, 0x2C)
    fat_sectors = list(struct.unpack_from(f"<{_HEADER_DIFAT_ENTRIES}I", data, 0x4C))
    per_sector = sector_size // 4
    difat_sector = first_difat
    for _ in range(min(difat_count, len(data) // sector_size)):
        if difat_sector > _MAX_REGULAR_SECTOR:
            break
        entries = struct.unpack(f"<{per_sector}I", _sector(data, difat_sector, sector_size))
        fat_sectors.extend(entries[:-1])
        difat_sector = entries[-1]
    fat: list[int] = []
    for sector in fat_sectors[:fat_sector_count]:
        if sector > _MAX_REGULAR_SECTOR:
            break
        fat.extend(struct.unpack(f"<{per_sector}I", _sector(data, sector, sector_size)))
    return fat


def _chain(fat: list[int], start: int) -> list[int]:
    chain: list[int] = []
    sector = start
    while sector != _END_OF_CHAIN:
        # A chain longer than the FAT loops back on itself.
        if sector > _MAX_REGULAR_SECTOR or sector >= len(fat) or len(chain) > len(fat):
            raise MalformedCompoundFile(f"broken sector chain at {sector}")
        chain.append(sector)
        sector = fat[sector]
    return chain


def _sector(data: bytes, sector: int, sector_size: int) -> bytes:
    start = (sector + 1) * sector_size
    if start + sector_size > len(data):
        raise MalformedCompoundFile(f"sector {sector} lies beyond the end of the file")
    return data[start : start + sector_size]


def _stream_name(entry: bytes) -> str | None:
    name_bytes = struct.unpack_from("<H", entry, 0x40)[0]
    if entry[0x42] != _STREAM or not 2 <= name_bytes <= 64:
        return None
    return entry[: name_bytes - 2].decode("utf-16-le", errors="replace")
