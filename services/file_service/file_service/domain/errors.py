"""The one exception the file domain raises for a file it cannot accept."""

from __future__ import annotations

from common_core.errors import ErrorCode


class FileRejected(Exception):
    """A file problem a teacher can fix, with its error code and a readable message."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"FileRejected(code={self.code.value!r}, message={self.message!r})"
