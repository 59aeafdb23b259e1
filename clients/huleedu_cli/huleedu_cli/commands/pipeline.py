"""`huleedu pipeline run`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

import typer

from common_core.enums import GrammarCategory, PipelineName
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
    disabled = accepted.get("disabled_grammar_categories") or []
    if disabled:
        state.out.info(f"Grammar categories switched off: {', '.join(map(str, disabled))}.")


PipelineOption = Annotated[
    PipelineName,
    typer.Option(
        "--pipeline",
        help="spellcheck, or spellcheck+grammar (spelling, then LanguageTool's grammar and "
        "style check of the original texts).",
    ),
]
DisabledCategories = Annotated[
    list[GrammarCategory] | None,
    typer.Option(
        "--disable-category",
        case_sensitive=False,
        help="A LanguageTool category the grammar phase leaves out (repeatable; needs "
        "--pipeline spellcheck+grammar).",
        show_default=False,
    ),
]
WatchOption = Annotated[
    bool, typer.Option("--watch", help="Follow progress until the results are ready.")
]
TimeoutOption = Annotated[
    float | None,
    typer.Option("--timeout", min=0.1, help="With --watch: give up after this many seconds."),
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        help="Request key (default: a new one per run). Re-running with the key of an "
        "earlier run never starts the pipeline twice; it shows that run's outcome.",
        show_default=False,
    ),
]
AttemptsOption = Annotated[
    int,
    typer.Option("--attempts", min=1, max=10, help="Tries when the gateway cannot confirm (503)."),
]


def _categories(pipeline: PipelineName, chosen: list[GrammarCategory]) -> list[str]:
    """The category ids to switch off, once each; a usage error without the grammar phase."""
    if chosen and pipeline is not PipelineName.SPELLCHECK_GRAMMAR:
        raise typer.BadParameter(
            f"grammar categories apply to --pipeline {PipelineName.SPELLCHECK_GRAMMAR.value} only",
            param_hint="--disable-category",
        )
    return [c.value for c in dict.fromkeys(chosen)]


@app.command("run")
def run(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="Batch id.")],
    pipeline: PipelineOption = PipelineName.SPELLCHECK,
    disable_category: DisabledCategories = None,
    watch_it: WatchOption = False,
    timeout: TimeoutOption = None,
    idempotency_key: KeyOption = None,
    attempts: AttemptsOption = RetryPolicy.attempts,
) -> None:
    """Request a pipeline for a batch (its essays must be uploaded)."""
    categories = _categories(pipeline, disable_category or [])
    key = idempotency_key or str(uuid.uuid4())
    policy = RetryPolicy(attempts=attempts)

    async def action(api: GatewayApi, state: AppState) -> int:
        async def requested() -> JsonDict:
            return await request_pipeline(
                api, state.out, batch_id, pipeline.value, key, policy, categories
            )

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
