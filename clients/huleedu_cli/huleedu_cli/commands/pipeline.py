"""`huleedu pipeline run`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

import typer

from huleedu_cli.api import GatewayApi, JsonDict
from huleedu_cli.commands.live import follow
from huleedu_cli.context import AppState, execute
from huleedu_cli.pipeline_request import RetryPolicy, request_pipeline
from huleedu_cli.watch import WatchOptions, WatchOutcome, status_check

app = typer.Typer(help="Run processing pipelines on a batch.", no_args_is_help=True)


def _announce(state: AppState, accepted: JsonDict) -> None:
    state.out.data(accepted)
    if accepted.get("replayed"):
        state.out.info(
            f"Pipeline {accepted.get('pipeline')} had already been accepted for batch"
            f" {accepted.get('batch_id')} under this request key (request"
            f" {accepted.get('request_id')}); it runs once."
        )
        return
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
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            "--idempotency-key",
            help="Request key (default: a new one per run). Re-running with the key of an "
            "earlier run never starts the pipeline twice; it shows that run's outcome.",
            show_default=False,
        ),
    ] = None,
    attempts: Annotated[
        int,
        typer.Option(
            "--attempts", min=1, max=10, help="Tries when the gateway cannot confirm (503)."
        ),
    ] = RetryPolicy.attempts,
) -> None:
    """Request a pipeline for a batch (its essays must be uploaded)."""
    key = idempotency_key or str(uuid.uuid4())
    policy = RetryPolicy(attempts=attempts)

    async def action(api: GatewayApi, state: AppState) -> int:
        async def requested() -> JsonDict:
            return await request_pipeline(api, state.out, batch_id, pipeline, key, policy)

        if not watch_it:
            _announce(state, await requested())
            return 0
        requested_at: list[datetime] = []

        async def on_ready(reconnected: bool) -> WatchOutcome | None:
            # Request only once subscribed, so no notification of this run can be missed.
            if not reconnected:
                requested_at.append(datetime.now(UTC))
                accepted = await requested()
                _announce(state, accepted)
                if accepted.get("replayed"):
                    # The run under this key started earlier and may be over already.
                    return await status_check(api, batch_id)(True)
                return None
            # Back after a drop: the run may have finished while we were away.
            return await status_check(api, batch_id, since=requested_at[0])(True)

        options = WatchOptions(batch_id=batch_id, until_done=True, timeout_s=timeout)
        return await follow(api, state, options, on_ready)

    execute(ctx, action)
