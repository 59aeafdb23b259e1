"""`huleedu associations show|confirm`: who wrote each essay of a class batch."""

from __future__ import annotations

from typing import Annotated

import typer

from common_core.class_api import BatchAssociationsV1
from huleedu_cli.api import GatewayApi, JsonDict
from huleedu_cli.class_views import associations_table
from huleedu_cli.context import AppState, execute, received
from huleedu_cli.errors import UsageError

app = typer.Typer(
    help="See and confirm the suggested authors of a class batch's essays.", no_args_is_help=True
)


def _report(state: AppState, raw: JsonDict) -> None:
    batch = received(state, raw, BatchAssociationsV1)
    state.out.rich(associations_table(batch))
    pending = sum(1 for a in batch.associations if a.status == "pending_validation")
    if batch.status == "confirmed":
        state.out.info(f"All authors confirmed. Next: huleedu pipeline run {batch.batch_id}")
    elif pending:
        state.out.info(
            f"{pending} essay(s) await confirmation: huleedu associations confirm"
            f" {batch.batch_id} --accept-suggestions [--set ESSAY_ID=STUDENT_ID ...]"
        )


def parse_assignments(values: list[str]) -> list[JsonDict]:
    """`ESSAY_ID=STUDENT_ID` options as confirmation objects; each essay at most once."""
    confirmations: list[JsonDict] = []
    seen: set[str] = set()
    for value in values:
        essay_id, sep, student_id = (part.strip() for part in value.partition("="))
        if not sep or not essay_id or not student_id:
            raise UsageError(f"--set takes ESSAY_ID=STUDENT_ID, not {value!r}", value=value)
        if essay_id in seen:
            raise UsageError(f"Essay {essay_id} is given twice with --set", essay_id=essay_id)
        seen.add(essay_id)
        confirmations.append({"essay_id": essay_id, "student_id": student_id})
    return confirmations


@app.command("show")
def show(ctx: typer.Context, batch_id: Annotated[str, typer.Argument(help="Batch id.")]) -> None:
    """Show each essay's suggested or confirmed author."""

    async def action(api: GatewayApi, state: AppState) -> int:
        _report(state, await api.get_associations(batch_id))
        return 0

    execute(ctx, action)


@app.command("confirm")
def confirm(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="Batch id.")],
    accept_suggestions: Annotated[
        bool,
        typer.Option("--accept-suggestions", help="Confirm every other pending suggestion too."),
    ] = False,
    assignments: Annotated[
        list[str] | None,
        typer.Option(
            "--set", metavar="ESSAY_ID=STUDENT_ID", help="Set one essay's author (repeatable)."
        ),
    ] = None,
) -> None:
    """Confirm or correct essay authors; the batch proceeds once none is pending."""

    async def action(api: GatewayApi, state: AppState) -> int:
        confirmations = parse_assignments(assignments or [])
        if not confirmations and not accept_suggestions:
            raise UsageError(
                "Nothing to confirm: give --set ESSAY_ID=STUDENT_ID and/or --accept-suggestions"
            )
        body: JsonDict = {"confirmations": confirmations, "accept_suggestions": accept_suggestions}
        _report(state, await api.confirm_associations(batch_id, body))
        return 0

    execute(ctx, action)
