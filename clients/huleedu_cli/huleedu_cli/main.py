"""Entry point of the `huleedu` console script: the typer app and its global options."""

from __future__ import annotations

from typing import Annotated

import typer

from common_core.notifications import DEFAULT_LOCALE, Locale
from huleedu_cli.commands import (
    associations,
    auth,
    batch,
    classes,
    files,
    live,
    pipeline,
    results,
    students,
)
from huleedu_cli.config import DEFAULT_API_URL, CliSettings
from huleedu_cli.context import AppState
from huleedu_cli.output import Output

app = typer.Typer(
    name="huleedu",
    help=(
        "HuleEdu for teachers: manage classes, register batches, upload essays, confirm their"
        " authors, run spell checks, see results."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    api_url: Annotated[
        str, typer.Option("--api-url", envvar="HULEEDU_API_URL", help="Gateway base URL.")
    ] = DEFAULT_API_URL,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="HULEEDU_TOKEN",
            help="Bearer token (default: the one saved by `huleedu login`).",
            show_default=False,
        ),
    ] = None,
    json_output: Annotated[
        bool,
        typer.Option("--json", help="Machine-readable JSON on stdout; errors as JSON on stderr."),
    ] = False,
    lang: Annotated[
        Locale,
        typer.Option("--lang", envvar="HULEEDU_LANG", help="Language of notifications (sv or en)."),
    ] = DEFAULT_LOCALE,
) -> None:
    """Global options for every command."""
    settings = CliSettings(api_url, token, json_output, Locale(lang))
    ctx.obj = AppState(settings, Output(json_output))


app.command("login")(auth.login)
app.command("token")(auth.token)
app.add_typer(batch.app, name="batch")
app.command("upload")(files.upload)
app.add_typer(files.app, name="files")
app.add_typer(pipeline.app, name="pipeline")
app.command("watch")(live.watch_command)
app.command("results")(results.results)
app.add_typer(classes.app, name="class")
app.add_typer(classes.roster_app, name="roster")
app.add_typer(associations.app, name="associations")
app.add_typer(students.app, name="student")


def run() -> None:
    """Run the CLI (the console script's entry point)."""
    app()
