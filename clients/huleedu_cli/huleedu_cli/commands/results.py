"""`huleedu results`: a batch's essays, or one essay's misspellings and grammar matches, its
corrected or original text."""

from __future__ import annotations

from typing import Annotated

import typer

from common_core.result_api import BatchResultV1, EssayResultV1, EssayTextV1
from huleedu_cli.api import GatewayApi
from huleedu_cli.context import AppState, execute, received
from huleedu_cli.errors import UsageError
from huleedu_cli.views import batch_summary, essay_detail, essays_table, original_text


def results(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="Batch id.")],
    essay_id: Annotated[
        str | None,
        typer.Argument(help="One essay: show its misspellings, grammar matches and text."),
    ] = None,
    original: Annotated[
        bool,
        typer.Option(
            "--original",
            help="Show the essay's original (uploaded) text with its misspellings and grammar"
            " matches marked.",
        ),
    ] = False,
) -> None:
    """Show spell-check and grammar results for a batch, or for one of its essays."""

    async def action(api: GatewayApi, state: AppState) -> int:
        if essay_id is None:
            if original:
                raise UsageError(
                    "--original needs an ESSAY_ID: huleedu results BATCH ESSAY --original"
                )
            batch = received(state, await api.get_batch(batch_id), BatchResultV1)
            state.out.rich(batch_summary(batch))
            state.out.rich(essays_table(batch.essays, title="Results"))
            if batch.essays:
                state.out.info(f"One essay in detail: huleedu results {batch_id} ESSAY_ID")
            return 0
        if original:
            text = received(state, await api.get_essay_text(batch_id, essay_id), EssayTextV1)
            if not state.out.json_mode:
                essay = EssayResultV1.model_validate(await api.get_essay(batch_id, essay_id))
                misspellings = essay.spellcheck.misspellings if essay.spellcheck else []
                matches = essay.grammar.matches if essay.grammar else []
                state.out.rich(original_text(text, misspellings, matches))
            return 0
        essay = received(state, await api.get_essay(batch_id, essay_id), EssayResultV1)
        state.out.rich(essay_detail(essay))
        return 0

    execute(ctx, action)
