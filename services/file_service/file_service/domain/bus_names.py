"""What the File Service puts on the bus in place of personal data.

Teachers name files after their students ("Åsa Öberg.docx"), and Kafka keeps every message
for its retention where no erasure can reach it. So events and notifications call a file by
a label made from its id; the real name stays in this service's database (and, sealed under
the event PII key, reaches Class Management inside the parsed header).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from common_core.file_labels import file_label

__all__ = ["Opener", "Sealer", "file_label", "rejection_labels", "without_file_names"]


class Sealer(Protocol):
    """Encrypts a value for the bus under the event PII key (File Service and CMS only)."""

    def encrypt_text(self, value: str) -> str:
        """A token only the holders of the event PII key can open."""
        ...


class Opener(Protocol):
    """Opens values sealed under the event PII key."""

    def decrypt_text(self, token: str) -> str:
        """The plaintext of a token made with any configured event PII key."""
        ...


def rejection_labels(
    file_upload_id: str, filename: str, details: Mapping[str, Any]
) -> dict[str, str]:
    """File name -> label for every file a rejection names (itself, the file it repeats)."""
    labels = {filename: file_label(file_upload_id, filename)}
    earlier = details.get("duplicate_of")
    if isinstance(earlier, Mapping) and earlier.get("filename"):
        name = str(earlier["filename"])
        labels[name] = file_label(str(earlier.get("file_upload_id", "")), name)
    return labels


def without_file_names(message: str, labels: Mapping[str, str]) -> str:
    """The message with each file name replaced by its label (longest names first)."""
    for name in sorted(labels, key=len, reverse=True):
        if name:
            message = message.replace(name, labels[name])
    return message
