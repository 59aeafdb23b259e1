"""`huleedu login` and `huleedu token`: development tokens from the gateway."""

from __future__ import annotations

from typing import Annotated

import typer

from huleedu_cli.api import GatewayApi
from huleedu_cli.config import save_token
from huleedu_cli.context import AppState, execute
from huleedu_cli.errors import CliError


def _access_token(body: dict[str, object]) -> str:
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise CliError(
            code="EXTERNAL_SERVICE_ERROR", message="The token answer has no access_token"
        )
    return token


def login(
    ctx: typer.Context,
    user: Annotated[
        str, typer.Option("--user", help="Teacher user id to sign in as (development).")
    ],
) -> None:
    """Mint a development token for USER and save it for later commands (mode 0600)."""

    async def action(api: GatewayApi, state: AppState) -> int:
        body = await api.mint_dev_token(user)
        path = save_token(_access_token(body))
        state.out.data(
            {
                "user_id": user,
                "token_file": str(path),
                "token_type": body.get("token_type"),
                "expires_in": body.get("expires_in"),
            }
        )
        expires = body.get("expires_in")
        valid = f", valid for {expires} s" if expires else ""
        state.out.info(f"Signed in as {user}{valid}. Token saved to {path}.")
        return 0

    execute(ctx, action)


def token(
    ctx: typer.Context,
    user: Annotated[str, typer.Option("--user", help="Teacher user id the token is for.")],
) -> None:
    """Print a fresh development token for USER and nothing else (for `make token`)."""

    async def action(api: GatewayApi, state: AppState) -> int:
        body = await api.mint_dev_token(user)
        access = _access_token(body)
        if state.out.json_mode:
            state.out.data(body)
        else:
            typer.echo(access)
        return 0

    execute(ctx, action)
