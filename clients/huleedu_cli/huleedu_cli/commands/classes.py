"""`huleedu class create|list|show` and `huleedu roster import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from common_core.class_api import ClassDetailV1, ClassListV1, ClassV1, RosterImportResultV1
from common_core.enums import CourseCode
from huleedu_cli.api import GatewayApi
from huleedu_cli.class_views import (
    class_list_table,
    class_panel,
    roster_summary,
    row_errors_table,
    students_table,
)
from huleedu_cli.context import AppState, execute, received
from huleedu_cli.errors import ApiError

app = typer.Typer(help="Create your classes and see their rosters.", no_args_is_help=True)
roster_app = typer.Typer(help="Import a class list from a CSV file.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The class's name, e.g. '9A engelska'.")],
    course: Annotated[
        CourseCode, typer.Option("--course", case_sensitive=False, help="Course code.")
    ],
) -> None:
    """Create a class for one course and print its id."""

    async def action(api: GatewayApi, state: AppState) -> int:
        created = received(
            state, await api.create_class({"name": name, "course_code": course.value}), ClassV1
        )
        state.out.info(f"Created class {created.class_id} ({created.name}, {created.course_code}).")
        state.out.info(f"Next: huleedu roster import {created.class_id} <class list.csv>")
        return 0

    execute(ctx, action)


@app.command("list")
def list_classes(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="Page size.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many classes.")] = 0,
) -> None:
    """List your classes by name."""

    async def action(api: GatewayApi, state: AppState) -> int:
        listing = received(state, await api.list_classes(limit, offset), ClassListV1)
        state.out.rich(class_list_table(listing))
        return 0

    execute(ctx, action)


@app.command("show")
def show(ctx: typer.Context, class_id: Annotated[str, typer.Argument(help="Class id.")]) -> None:
    """Show a class and its students."""

    async def action(api: GatewayApi, state: AppState) -> int:
        detail = received(state, await api.get_class(class_id), ClassDetailV1)
        state.out.rich(class_panel(detail))
        state.out.rich(students_table(detail.students))
        return 0

    execute(ctx, action)


@roster_app.command("import")
def import_roster(
    ctx: typer.Context,
    class_id: Annotated[str, typer.Argument(help="Class id.")],
    csv_file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV with a header: email/e-post and first_name/förnamn + last_name/efternamn"
            " or name/namn; comma, semicolon or tab; UTF-8 or Excel's cp1252.",
        ),
    ],
) -> None:
    """Add a CSV class list to a class: every row or none (bad rows are listed)."""

    async def action(api: GatewayApi, state: AppState) -> int:
        try:
            raw = await api.import_roster(class_id, csv_file)
        except ApiError as err:
            rows = err.details.get("rows")
            if isinstance(rows, list) and rows:
                state.out.rich(row_errors_table(r for r in rows if isinstance(r, dict)))
            raise
        result = received(state, raw, RosterImportResultV1)
        state.out.info(roster_summary(result))
        state.out.rich(students_table(result.students, title="Imported"))
        return 0

    execute(ctx, action)
