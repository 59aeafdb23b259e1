"""`huleedu login` / `huleedu token` and how the token is chosen."""

from __future__ import annotations

import json
import stat
from typing import Any


class TestLogin:
    def test_saves_the_token_readable_by_the_owner_only(self, cli: Any) -> None:
        token = cli.signed_in()

        path = cli.config_dir / "token"
        assert token in cli.gateway.tokens
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_a_second_login_replaces_the_token_and_keeps_0600(self, cli: Any) -> None:
        first = cli.signed_in()
        (cli.config_dir / "token").chmod(0o644)

        second = cli.signed_in()

        assert second != first
        assert stat.S_IMODE((cli.config_dir / "token").stat().st_mode) == 0o600

    def test_later_commands_use_the_saved_token(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-9")

        result = cli("batch", "status", "b-9")

        assert result.exit_code == 0, result.output
        assert "b-9" in result.stdout

    def test_json_output_names_the_token_file(self, cli: Any) -> None:
        result = cli("--json", "login", "--user", "teacher-1")

        assert result.exit_code == 0
        assert json.loads(result.stdout)["token_file"] == str(cli.config_dir / "token")


class TestToken:
    def test_prints_only_the_token(self, cli: Any) -> None:
        result = cli("token", "--user", "teacher-7")

        printed = result.stdout.strip()
        assert result.exit_code == 0
        assert printed in cli.gateway.tokens
        assert printed.startswith("tok-teacher-7-")
        assert not (cli.config_dir / "token").exists()

    def test_outside_development_the_404_is_reported(self, cli: Any, api_error: Any) -> None:
        cli.gateway.fail("POST /v1/dev/tokens", api_error(404, "NOT_FOUND", "Not Found"))

        result = cli("token", "--user", "teacher-7")

        assert result.exit_code == 1
        assert "Not Found (NOT_FOUND)" in result.stderr


class TestTokenChoice:
    def test_explicit_token_wins_over_the_saved_one(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-9")

        result = cli("batch", "status", "b-9", token="not-a-valid-token")

        assert result.exit_code == 1
        assert "huleedu login" in result.stderr

    def test_without_any_token_the_user_is_told_to_log_in(self, cli: Any) -> None:
        result = cli("batch", "list")

        assert result.exit_code == 1
        assert "run `huleedu login --user USER_ID`" in result.stderr
