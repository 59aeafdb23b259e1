"""What an upload takes in and answers: the incoming files, each file's result, and the
refusal of an unusable request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from common_core.errors import ErrorCode
from file_service.domain.ports import FileRecord
from file_service.domain.validation import RejectedFile


@dataclass(frozen=True)
class IncomingFile:
    """A file as it arrived in the request."""

    filename: str
    data: bytes


FilesSource = Sequence[IncomingFile] | Callable[[], Awaitable[Sequence[IncomingFile]]]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file of an upload."""

    filename: str
    file_upload_id: str
    accepted: bool
    error_code: ErrorCode | None = None
    message: str | None = None
    record: FileRecord | None = None
    rejection: RejectedFile | None = None


class UploadRejected(Exception):
    """The request as a whole is unusable (no files, too many files)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
