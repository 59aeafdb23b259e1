"""The state one invocation shares between commands, and the one place errors become exits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from common_core.errors import ErrorCode
from huleedu_cli.aiohttp_gateway import AiohttpGateway
from huleedu_cli.api import GatewayApi
from huleedu_cli.config import CliSettings
from huleedu_cli.errors import EXIT_API_ERROR, CliError
from huleedu_cli.output import Output

EXIT_INTERRUPTED = 130

M = TypeVar("M", bound=BaseModel)


@dataclass
class AppState:
    """Global options and the output of this invocation."""

    settings: CliSettings
    out: Output


def state_of(ctx: typer.Context) -> AppState:
    """The AppState the root callback stored on the context."""
    state = ctx.find_root().obj
    if not isinstance(state, AppState):
        raise RuntimeError("the root callback did not run")
    return state


def received(state: AppState, raw: Any, model: type[M]) -> M:
    """A gateway answer read as its contract model, the raw answer printed in --json mode."""
    parsed = model.model_validate(raw)
    state.out.data(raw)
    return parsed


def execute(ctx: typer.Context, action: Callable[[GatewayApi, AppState], Awaitable[int]]) -> None:
    """Run an async action with a gateway client; map every failure to its message and exit."""
    state = state_of(ctx)

    async def main() -> int:
        token = state.settings.resolved_token()
        async with AiohttpGateway(state.settings.api_url, token) as api:
            return await action(api, state)

    code = run_reporting(state.out, main)
    raise typer.Exit(code)


def run_reporting(out: Output, main: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """asyncio.run the coroutine; report CliErrors and unreadable answers; return the exit code."""
    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        out.info("Interrupted.")
        return EXIT_INTERRUPTED
    except CliError as err:
        out.error(err)
        return err.exit_code
    except ValidationError as exc:
        # The gateway answered 2xx with a body that does not match the contract.
        mismatch = CliError(
            code=ErrorCode.EXTERNAL_SERVICE_ERROR,
            message="The gateway's answer did not match the API contract",
            details={"errors": exc.errors(include_url=False, include_context=False)},
        )
        out.error(mismatch)
        return EXIT_API_ERROR
