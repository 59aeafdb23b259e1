"""Where output goes: rich for people, one JSON document (or line) per result for scripts."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape

from huleedu_cli.errors import CliError


class Output:
    """Human output on a rich console, or JSON only (`--json`) with nothing decorative."""

    def __init__(self, json_mode: bool) -> None:
        self.json_mode = json_mode
        # Consoles are bound to the streams of this invocation (CliRunner swaps sys.stdout).
        self.console = Console(file=sys.stdout, highlight=False, soft_wrap=False)
        self.err_console = Console(file=sys.stderr, highlight=False, soft_wrap=True)

    def data(self, payload: Any) -> None:
        """A command's result as one JSON document on stdout (json mode only)."""
        if self.json_mode:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
            sys.stdout.flush()

    def line(self, payload: Any) -> None:
        """One compact JSON line (json mode only), for streams such as notifications."""
        self.data(payload)

    def info(self, text: str) -> None:
        """A line for people (plain text, markup escaped); silent in json mode."""
        if not self.json_mode:
            self.console.print(escape(text))

    def rich(self, renderable: Any) -> None:
        """A table or styled text for people; silent in json mode."""
        if not self.json_mode:
            self.console.print(renderable)

    def warn(self, text: str) -> None:
        """A warning on stderr; silent in json mode, where stderr carries only error bodies."""
        if self.json_mode:
            return
        self.err_console.print(f"[yellow]Warning:[/yellow] {escape(text)}")

    def error(self, err: CliError) -> None:
        """The error body on stderr in json mode, else one readable line."""
        if self.json_mode:
            sys.stderr.write(json.dumps(err.body(), ensure_ascii=False, default=str) + "\n")
            sys.stderr.flush()
            return
        self.err_console.print(f"[bold red]Error:[/bold red] {escape(err.describe())}")
