"""`huleedu pipeline run`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from huleedu_cli.api import GatewayApi, JsonDict
from huleedu_cli.commands.live import follow
from huleedu_cli.context import AppState, execute
from huleedu_cli.watch import WatchOptions, WatchOutcome, status_check

app = typer.Typer(help="Run processing pipelines on a batch.", no_args_is_help=True)


def _announce(state: AppState, accepted: JsonDict) -> None:
    state.out.data(accepted)
    state.out.info(
        f"Pipeline {accepted.get('pipeline')} requested for batch {accepted.get('batch_id')}"
        f" (request {accepted.get('request_id')})."
    )


@app.command("run")
def run(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="Batch id.")],
    pipeline: Annotated[str, typer.Option("--pipeline", help="Pipeline to run.")] = "spellcheck",
    watch_it: Annotated[
        bool, typer.Option("--watch", help="Follow progress until the results are ready.")
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.1, help="With --watch: give up after this many seconds."),
    ] = None,
) -> None:
    """Request a pipeline for a batch (its essays must be uploaded)."""

    async def action(api: GatewayApi, state: AppState) -> int:
        if not watch_it:
            _announce(state, await api.run_pipeline(batch_id, pipeline))
            return 0
        requested_at: list[datetime] = []

        async def on_ready(reconnected: bool) -> WatchOutcome | None:
            # Request only once subscribed, so no notification of this run can be missed.
            if not reconnected:
                requested_at.append(datetime.now(UTC))
                _announce(state, await api.run_pipeline(batch_id, pipeline))
                return None
            # Back after a drop: the run may have finished while we were away.
            return await status_check(api, batch_id, since=requested_at[0])(True)

        options = WatchOptions(batch_id=batch_id, until_done=True, timeout_s=timeout)
        return await follow(api, state, options, on_ready)

    execute(ctx, action)
