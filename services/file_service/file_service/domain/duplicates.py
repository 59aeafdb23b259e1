"""Duplicate essays: the same bytes, or the same normalised text in another file or format.

A batch holds each essay once. The first copy wins: a later file with identical bytes, or with
the same text fingerprint (domain/text_fingerprint.py: a .docx and its .pdf export), is
rejected with DUPLICATE_FILE and told which earlier file it repeats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from common_core.errors import ErrorCode
from file_service.domain.ports import FileRecord
from file_service.domain.validation import AcceptedFile, RejectedFile


class Match(StrEnum):
    """What two files have in common."""

    IDENTICAL_BYTES = "identical_bytes"
    SAME_TEXT = "same_text"


@dataclass(frozen=True)
class EarlierFile:
    """A file a new one is compared against: already in the batch, or earlier in the upload."""

    file_upload_id: str
    filename: str
    content_sha256: str
    text_sha256: str | None
    in_this_upload: bool


@dataclass(frozen=True)
class Duplicate:
    """The earlier file a new one repeats, and how."""

    earlier: EarlierFile
    match: Match

    def rejection(self, filename: str, file_size_bytes: int) -> RejectedFile:
        """DUPLICATE_FILE for the new file, naming the earlier one in message and details."""
        where = "earlier in this upload" if self.earlier.in_this_upload else "already in this batch"
        if self.match is Match.IDENTICAL_BYTES:
            message = f'This file is identical to "{self.earlier.filename}", {where}.'
        else:
            message = (
                f'This essay has the same text as "{self.earlier.filename}", {where} '
                "(the same essay in another file or format)."
            )
        return RejectedFile(
            filename=filename,
            code=ErrorCode.DUPLICATE_FILE,
            message=message,
            file_size_bytes=file_size_bytes,
            details={
                "duplicate_of": {
                    "file_upload_id": self.earlier.file_upload_id,
                    "filename": self.earlier.filename,
                    "in_this_upload": self.earlier.in_this_upload,
                },
                "match": str(self.match),
            },
        )


class DuplicateIndex:
    """The files a new file must not repeat, by bytes hash and by text fingerprint."""

    def __init__(self, batch_files: Iterable[FileRecord] = ()) -> None:
        self._by_bytes: dict[str, EarlierFile] = {}
        self._by_text: dict[str, EarlierFile] = {}
        for record in batch_files:
            self.add(record, in_this_upload=False)

    def add(self, record: FileRecord, *, in_this_upload: bool) -> None:
        """Remember a file; the first file with a given hash stays the one named."""
        self.remember(
            EarlierFile(
                file_upload_id=record.file_upload_id,
                filename=record.original_file_name,
                content_sha256=record.content_sha256,
                text_sha256=record.text_sha256,
                in_this_upload=in_this_upload,
            )
        )

    def remember(self, earlier: EarlierFile) -> None:
        """Remember a file described by its hashes (one not stored yet, say)."""
        self._by_bytes.setdefault(earlier.content_sha256, earlier)
        if earlier.text_sha256:
            self._by_text.setdefault(earlier.text_sha256, earlier)

    def find(self, content_sha256: str, text_sha256: str | None) -> Duplicate | None:
        """The earlier file this one repeats (identical bytes before same text), or None."""
        if (same_bytes := self._by_bytes.get(content_sha256)) is not None:
            return Duplicate(same_bytes, Match.IDENTICAL_BYTES)
        if text_sha256 and (same_text := self._by_text.get(text_sha256)) is not None:
            return Duplicate(same_text, Match.SAME_TEXT)
        return None

    def find_record(self, record: FileRecord) -> Duplicate | None:
        """`find` for a stored record."""
        return self.find(record.content_sha256, record.text_sha256)


def reject_copies(
    index: DuplicateIndex,
    outcomes: Sequence[AcceptedFile | RejectedFile],
    ids: Sequence[str],
) -> list[AcceptedFile | RejectedFile]:
    """Each accepted file that repeats one in `index` or an earlier one here, rejected.

    `ids` are the file_upload_ids the accepted files will get, so a copy can name its original.
    """
    checked: list[AcceptedFile | RejectedFile] = []
    for outcome, file_upload_id in zip(outcomes, ids, strict=True):
        if isinstance(outcome, AcceptedFile):
            copy = index.find(outcome.content_sha256, outcome.text_sha256)
            if copy is not None:
                checked.append(copy.rejection(outcome.filename, outcome.file_size_bytes))
                continue
            index.remember(
                EarlierFile(
                    file_upload_id,
                    outcome.filename,
                    outcome.content_sha256,
                    outcome.text_sha256,
                    in_this_upload=True,
                )
            )
        checked.append(outcome)
    return checked
