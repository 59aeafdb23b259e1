"""`huleedu batch register|list|status`."""

from __future__ import annotations

from typing import Annotated

import typer

from common_core.enums import BatchStatus, CourseCode
from common_core.result_api import BatchListV1, BatchResultV1
from huleedu_cli.api import GatewayApi
from huleedu_cli.context import AppState, execute, received
from huleedu_cli.views import batch_list_table, batch_summary, essays_table

app = typer.Typer(help="Register batches and see their status.", no_args_is_help=True)


@app.command("register")
def register(
    ctx: typer.Context,
    course: Annotated[
        CourseCode, typer.Option("--course", case_sensitive=False, help="Course code.")
    ],
    count: Annotated[int, typer.Option("--count", min=1, help="How many essays to expect.")],
    instructions: Annotated[
        str, typer.Option("--instructions", help="The essay instructions the students were given.")
    ],
    class_id: Annotated[
        str | None,
        typer.Option("--class", "--class-id", help="Class the essays belong to (class id)."),
    ] = None,
) -> None:
    """Register a batch of essays and print its id."""
    body: dict[str, object] = {
        "course_code": course.value,
        "essay_instructions": instructions,
        "expected_essay_count": count,
    }
    if class_id:
        body["class_id"] = class_id

    async def action(api: GatewayApi, state: AppState) -> int:
        created = await api.register_batch(body)
        state.out.data(created)
        state.out.info(
            f"Registered batch {created.get('batch_id')} ({course.value},"
            f" {count} essays expected, status {created.get('status')})."
        )
        state.out.info(f"Next: huleedu upload {created.get('batch_id')} <files or folders>")
        return 0

    execute(ctx, action)


@app.command("list")
def list_batches(
    ctx: typer.Context,
    status: Annotated[
        BatchStatus | None, typer.Option("--status", help="Only batches in this status.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Page size.")] = 20,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many batches.")] = 0,
) -> None:
    """List your batches, newest first."""

    async def action(api: GatewayApi, state: AppState) -> int:
        listing = received(
            state,
            await api.list_batches(status.value if status else None, limit, offset),
            BatchListV1,
        )
        state.out.rich(batch_list_table(listing))
        return 0

    execute(ctx, action)


@app.command("status")
def status(ctx: typer.Context, batch_id: str = typer.Argument(..., help="Batch id.")) -> None:
    """Show a batch's status, phases and essays."""

    async def action(api: GatewayApi, state: AppState) -> int:
        batch = received(state, await api.get_batch(batch_id), BatchResultV1)
        state.out.rich(batch_summary(batch))
        state.out.rich(essays_table(batch.essays))
        return 0

    execute(ctx, action)
