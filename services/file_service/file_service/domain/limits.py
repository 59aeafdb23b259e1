"""The limits an uploaded file must respect."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ValidationLimits:
    """Size, length and archive limits for one uploaded file."""

    max_file_bytes: int = 10 * 1024 * 1024
    min_chars: int = 200
    max_chars: int = 60_000
    max_uncompressed_bytes: int = 50 * 1024 * 1024
    max_compression_ratio: float = 100.0
    header_lines: int = 6
