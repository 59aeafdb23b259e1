"""`huleedu watch`: live notifications with a progress bar; shared with `pipeline run --watch`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from common_core.notifications import DEFAULT_LOCALE, Locale
from huleedu_cli.api import GatewayApi, JsonDict
from huleedu_cli.context import AppState, execute
from huleedu_cli.output import Output
from huleedu_cli.watch import (
    OnReady,
    WatchOptions,
    WatchOutcome,
    describe_notification,
    notification_text,
    progress_of,
    status_check,
    watch,
)


class LiveView:
    """Prints each notification; essay_results_available drives the progress bar."""

    def __init__(
        self, out: Output, progress: Progress | None, locale: Locale = DEFAULT_LOCALE
    ) -> None:
        self.out = out
        self.progress = progress
        self.locale = locale
        self.task: TaskID | None = None

    def __call__(self, notification: JsonDict) -> None:
        """Show one notification (a line, or the progress bar and its description)."""
        if self.progress is None:
            self.out.line(notification)
            return
        self.progress.console.print(escape(describe_notification(notification, self.locale)))
        counts = progress_of(notification)
        if counts is None:
            return
        done, total = counts
        if self.task is None:
            self.task = self.progress.add_task("essays", total=max(total, 1))
        self.progress.update(self.task, completed=done, total=max(total, 1))


@contextmanager
def live_view(out: Output, locale: Locale = DEFAULT_LOCALE) -> Iterator[LiveView]:
    """A LiveView with a rich progress bar, or plain JSON lines in json mode."""
    if out.json_mode:
        yield LiveView(out, None, locale)
        return
    with Progress(
        TextColumn("Essays processed"),
        BarColumn(),
        MofNCompleteColumn(),
        console=out.console,
    ) as progress:
        yield LiveView(out, progress, locale)


async def follow(
    api: GatewayApi, state: AppState, options: WatchOptions, on_ready: OnReady | None
) -> int:
    """Watch with a live view, then say how it ended; returns the exit code."""
    with live_view(state.out, state.settings.locale) as view:
        outcome = await watch(api, options, view, on_ready)
    _report(state.out, outcome, options, state.settings.locale)
    return outcome.exit_code


def _report(out: Output, outcome: WatchOutcome, options: WatchOptions, locale: Locale) -> None:
    if outcome.reason == "timeout":
        out.info(f"Stopped watching after {options.timeout_s:g} s.")
        return
    batch = options.batch_id or (outcome.notification or {}).get("batch_id")
    if outcome.exit_code == 0:
        out.info(f"Done ({outcome.reason}). See the results: huleedu results {batch or ''}")
    else:
        message = notification_text(outcome.notification or {}, locale) or outcome.reason
        out.info(f"Stopped: {message}")


def watch_command(
    ctx: typer.Context,
    batch_id: Annotated[str | None, typer.Argument(help="Only this batch's notifications.")] = None,
    until_done: Annotated[
        bool,
        typer.Option(
            "--until-done", help="Exit 0 when results are ready, 1 if the pipeline is denied."
        ),
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", min=0.1, help="Stop after this many seconds (exit 1 with --until-done)."
        ),
    ] = None,
    results_grace: Annotated[
        float,
        typer.Option(
            "--results-grace",
            min=0.0,
            help="After pipeline_completed, how long to wait for batch_results_ready.",
        ),
    ] = 10.0,
) -> None:
    """Follow live progress over the gateway's WebSocket."""
    options = WatchOptions(batch_id, until_done, timeout, results_grace)

    async def action(api: GatewayApi, state: AppState) -> int:
        # A batch that finished before we connected would otherwise be waited on forever.
        on_ready = status_check(api, batch_id) if batch_id and until_done else None
        if batch_id:
            state.out.info(f"Watching batch {batch_id} (Ctrl-C to stop)…")
        else:
            state.out.info("Watching all your batches (Ctrl-C to stop)…")
        return await follow(api, state, options, on_ready)

    execute(ctx, action)
