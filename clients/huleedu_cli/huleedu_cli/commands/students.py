"""`huleedu student erase`: the right to erasure, with the teacher's choice for the essays."""

from __future__ import annotations

from typing import Annotated

import typer

from common_core.enums import EssayErasureMode
from huleedu_cli.api import GatewayApi
from huleedu_cli.context import AppState, execute

app = typer.Typer(help="Erase a student and their personal data.", no_args_is_help=True)

_CHOICES = {
    EssayErasureMode.DELETE: "their essays, texts and results are deleted everywhere",
    EssayErasureMode.KEEP: "their essays stay, without their name, email or file names",
}


@app.command("erase")
def erase(
    ctx: typer.Context,
    student_id: Annotated[str, typer.Argument(help="Student id.")],
    essays: Annotated[
        EssayErasureMode,
        typer.Option(
            "--essays",
            case_sensitive=False,
            help="delete: remove the student's essays and results everywhere; keep: keep them"
            " without the student's name, email and file names.",
        ),
    ] = EssayErasureMode.DELETE,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a student everywhere (not undoable)."""
    if not yes and not typer.confirm(
        f"Erase student {student_id}? {_CHOICES[essays].capitalize()}. This cannot be undone."
    ):
        raise typer.Exit(1)

    async def action(api: GatewayApi, state: AppState) -> int:
        await api.erase_student(student_id, essays.value)
        state.out.data({"student_id": student_id, "erased": True, "essays": essays.value})
        state.out.info(f"Erased student {student_id}: {_CHOICES[essays]}.")
        return 0

    execute(ctx, action)
