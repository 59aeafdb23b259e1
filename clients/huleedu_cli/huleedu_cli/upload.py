"""Uploading essays: find the files, send them in chunks, and sum up what was accepted."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huleedu_cli.api import GatewayApi
from huleedu_cli.errors import ApiError, CliError, UsageError

ESSAY_SUFFIXES = frozenset({".txt", ".md", ".docx", ".pdf", ".odt", ".rtf"})


def discover_files(paths: Iterable[Path]) -> list[Path]:
    """Files named on the command line, plus essay files found (recursively) in folders.

    A file named explicitly is always sent, so the gateway can say why it is refused; inside
    folders only essay types are picked and hidden files (editor droppings, .DS_Store) skipped.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise UsageError(f"No such file or folder: {path}", path=str(path))
        if path.is_dir():
            candidates = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in ESSAY_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            candidates = [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def chunked(files: Sequence[Path], size: int) -> Iterator[list[Path]]:
    """Consecutive groups of at most `size` files."""
    if size < 1:
        raise UsageError("--chunk-size must be at least 1")
    for start in range(0, len(files), size):
        yield list(files[start : start + size])


@dataclass
class UploadSummary:
    """What happened to every file sent so far."""

    batch_id: str
    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)

    def add(self, results: Iterable[dict[str, Any]]) -> None:
        """Record the per-file results of one request."""
        for result in results:
            target = self.accepted if result.get("status") == "accepted" else self.rejected
            target.append(result)

    def as_json(self) -> dict[str, Any]:
        """The summary in the shape of the gateway's upload response, over all chunks."""
        return {
            "batch_id": self.batch_id,
            "accepted_count": len(self.accepted),
            "rejected_count": len(self.rejected),
            "not_sent": self.not_sent,
            "files": [*self.accepted, *self.rejected],
        }


def rejections_from(error: ApiError) -> list[dict[str, Any]] | None:
    """The per-file results of a 422 "nothing accepted" answer, or None for other errors."""
    files = error.details.get("files")
    if error.status != 422 or not isinstance(files, list):
        return None
    return [{**f, "status": f.get("status", "rejected")} for f in files if isinstance(f, dict)]


async def upload_all(
    api: GatewayApi,
    batch_id: str,
    files: Sequence[Path],
    chunk_size: int,
    on_chunk_done: Callable[[list[Path]], None],
) -> tuple[UploadSummary, CliError | None]:
    """Send every chunk; rejected files never stop the run, a request-level error does.

    Returns the summary and the error that stopped the run (files after it are `not_sent`),
    so the caller can show what was uploaded before it reports the failure.
    """
    summary = UploadSummary(batch_id)
    chunks = list(chunked(files, chunk_size))
    for index, chunk in enumerate(chunks):
        try:
            response = await api.upload_files(batch_id, chunk)
        except ApiError as error:
            rejected = rejections_from(error)
            if rejected is None:
                summary.not_sent = [str(p) for c in chunks[index:] for p in c]
                return summary, error
            summary.add(rejected)
        except CliError as error:
            summary.not_sent = [str(p) for c in chunks[index:] for p in c]
            return summary, error
        else:
            summary.add(response.get("files", []))
        on_chunk_done(chunk)
    return summary, None
