"""`huleedu upload` and `huleedu files list|remove`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from huleedu_cli.api import GatewayApi
from huleedu_cli.context import AppState, execute
from huleedu_cli.errors import CliError, UsageError
from huleedu_cli.upload import UploadSummary, discover_files, upload_all
from huleedu_cli.views import files_table

app = typer.Typer(help="See and remove a batch's uploaded files.", no_args_is_help=True)


def upload(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="Batch id.")],
    paths: Annotated[list[Path], typer.Argument(help="Essay files and/or folders of essays.")],
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="Files per request.")] = 10,
) -> None:
    """Upload essays (.txt .md .docx .pdf .odt .rtf; folders are searched recursively)."""

    async def action(api: GatewayApi, state: AppState) -> int:
        files = discover_files(paths)
        if not files:
            raise UsageError("No essay files found (.txt .md .docx .pdf .odt .rtf).")
        if state.out.json_mode:
            summary, error = await upload_all(api, batch_id, files, chunk_size, lambda _c: None)
        else:
            summary, error = await _upload_with_progress(api, state, batch_id, files, chunk_size)
        state.out.data(summary.as_json())
        _show_summary(state, summary)
        if error is not None:
            raise error
        return 0

    execute(ctx, action)


async def _upload_with_progress(
    api: GatewayApi, state: AppState, batch_id: str, files: list[Path], chunk_size: int
) -> tuple[UploadSummary, CliError | None]:
    sizes = {path: path.stat().st_size for path in files}
    with Progress(
        TextColumn("Uploading"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[files_done]}/{task.fields[files_total]} files"),
        TimeRemainingColumn(),
        console=state.out.console,
        transient=False,
    ) as progress:
        # One bar advanced by bytes (big files weigh more), with a files counter beside it.
        task = progress.add_task(
            "upload", total=sum(sizes.values()) or 1, files_done=0, files_total=len(files)
        )
        done_files = 0

        def chunk_done(chunk: list[Path]) -> None:
            nonlocal done_files
            done_files += len(chunk)
            progress.update(task, advance=sum(sizes[p] for p in chunk), files_done=done_files)

        summary, error = await upload_all(api, batch_id, files, chunk_size, chunk_done)
    return summary, error


def _show_summary(state: AppState, summary: UploadSummary) -> None:
    state.out.info(
        f"Batch {summary.batch_id}: {len(summary.accepted)} accepted,"
        f" {len(summary.rejected)} rejected."
    )
    if summary.rejected:
        table = Table(title="Rejected files")
        table.add_column("file", overflow="fold")
        table.add_column("code")
        table.add_column("reason", overflow="fold")
        for item in summary.rejected:
            table.add_row(
                escape(str(item.get("filename") or "?")),
                escape(str(item.get("error_code") or "?")),
                escape(str(item.get("message") or "")),
            )
        state.out.rich(table)
    if summary.not_sent:
        state.out.info(f"{len(summary.not_sent)} file(s) were not sent because of the error below.")


@app.command("list")
def list_files(ctx: typer.Context, batch_id: str = typer.Argument(..., help="Batch id.")) -> None:
    """List the files uploaded to a batch."""

    async def action(api: GatewayApi, state: AppState) -> int:
        raw = await api.list_files(batch_id)
        state.out.data(raw)
        state.out.rich(files_table(raw.get("files", [])))
        return 0

    execute(ctx, action)


@app.command("remove")
def remove_file(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="Batch id.")],
    file_upload_id: Annotated[
        str, typer.Argument(help="File upload id (see `huleedu files list`).")
    ],
) -> None:
    """Remove an uploaded file while the batch has not started processing."""

    async def action(api: GatewayApi, state: AppState) -> int:
        raw = await api.remove_file(batch_id, file_upload_id)
        state.out.data(raw)
        removed = raw.get("removed") or {}
        name = removed.get("filename") if isinstance(removed, dict) else None
        state.out.info(f"Removed {name or file_upload_id} from batch {batch_id}.")
        return 0

    execute(ctx, action)
