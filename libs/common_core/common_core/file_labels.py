"""What events call an uploaded file: a label made from its id, never the file's own name.

Teachers name files after their students ("Åsa Öberg.docx"); the bus keeps every message for
its retention where no erasure reaches it. The File Service sends this label wherever an event
or notification names a file, and services that held a real name before scrub it to the same
label when the student is erased.
"""

from __future__ import annotations

import re

_EXTENSION = re.compile(r"^[a-z0-9]{1,8}$")


def file_label(file_upload_id: str, filename: str = "") -> str:
    """`essay-<first 8 characters of the id>.<extension of filename>` (no extension if odd)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    extension = extension.lower() if dot and stem else ""
    suffix = f".{extension}" if _EXTENSION.match(extension) else ""
    return f"essay-{file_upload_id[:8]}{suffix}"
