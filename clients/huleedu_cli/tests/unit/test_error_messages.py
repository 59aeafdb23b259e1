"""Every class of failure maps to its one-line message, its exit code and its JSON body."""

from __future__ import annotations

import json
import socket
from typing import Any

from aiohttp import web

from huleedu_cli.errors import EXIT_API_ERROR, EXIT_UNREACHABLE, EXIT_USAGE


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


BATCH_ROUTE = "GET /v1/batches/{batch_id}"


class TestApiErrors:
    def test_401_tells_the_user_to_log_in(self, cli: Any) -> None:
        result = cli("batch", "status", "b-1", token="expired")

        assert result.exit_code == EXIT_API_ERROR
        assert "run `huleedu login --user USER_ID`" in result.stderr
        assert "(UNAUTHORIZED)" in result.stderr

    def test_404_batch_not_found(self, cli: Any) -> None:
        cli.signed_in()

        result = cli("batch", "status", "b-404")

        assert result.exit_code == EXIT_API_ERROR
        assert result.stderr.strip() == (
            "Error: Batch not found (BATCH_NOT_FOUND) — it does not exist or is not yours."
            " [correlation id corr-123]"
        )

    def test_429_says_when_to_retry(self, cli: Any, api_error: Any) -> None:
        cli.signed_in()
        cli.gateway.fail(
            BATCH_ROUTE, api_error(429, "RATE_LIMITED", "Slow down.", **{"Retry-After": "17"})
        )

        result = cli("batch", "status", "b-1")

        assert result.exit_code == EXIT_API_ERROR
        assert "Too many requests (RATE_LIMITED) — retry in 17 s." in result.stderr

    def test_503_says_unavailable_and_when_to_retry(self, cli: Any, api_error: Any) -> None:
        cli.signed_in()
        cli.gateway.fail(
            BATCH_ROUTE,
            api_error(503, "CIRCUIT_OPEN", "Batch service unavailable.", **{"Retry-After": "5"}),
        )

        result = cli("batch", "status", "b-1")

        assert result.exit_code == EXIT_API_ERROR
        assert (
            "Service unavailable (CIRCUIT_OPEN): Batch service unavailable. — retry after 5 s."
            in (result.stderr)
        )

    def test_422_with_per_file_details_in_json_mode(self, cli: Any, tmp_path: Any) -> None:
        cli.signed_in()
        empty = tmp_path / "empty.txt"
        empty.write_text("")

        result = cli("--json", "upload", "b-1", str(empty))

        # Nothing accepted is reported per file, not as a crash; the run itself succeeds.
        assert result.exit_code == 0
        assert json.loads(result.stdout)["files"][0]["error_code"] == "EMPTY_FILE"

    def test_json_mode_puts_the_error_body_on_stderr_only(self, cli: Any) -> None:
        cli.signed_in()

        result = cli("--json", "batch", "status", "b-404")

        body = json.loads(result.stderr)
        assert result.stdout == ""
        assert body["error"]["code"] == "BATCH_NOT_FOUND"
        assert body["error"]["correlation_id"] == "corr-123"
        assert body["error"]["service"] == "api_gateway_service"

    def test_an_answer_without_our_error_body(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.fail(BATCH_ROUTE, web.Response(status=502, text="<html>Bad gateway</html>"))

        result = cli("--json", "batch", "status", "b-1")

        assert result.exit_code == EXIT_API_ERROR
        assert json.loads(result.stderr)["error"]["details"] == {"status": 502}

    def test_an_answer_that_breaks_the_contract(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.fail(BATCH_ROUTE, web.json_response({"batch_id": "b-1"}))

        result = cli("batch", "status", "b-1")

        assert result.exit_code == EXIT_API_ERROR
        assert "did not match the API contract (EXTERNAL_SERVICE_ERROR)" in result.stderr


class TestTransportAndUsage:
    def test_connection_refused_exits_3(self, cli: Any) -> None:
        url = f"http://127.0.0.1:{_closed_port()}"

        result = cli("batch", "list", token="t", url=url)

        assert result.exit_code == EXIT_UNREACHABLE
        assert f"Cannot reach the HuleEdu gateway at {url} (is `make up` running?)" in (
            result.stderr
        )

    def test_connection_refused_in_json_mode(self, cli: Any) -> None:
        url = f"http://127.0.0.1:{_closed_port()}"

        result = cli("--json", "login", "--user", "t-1", url=url)

        body = json.loads(result.stderr)
        assert result.exit_code == EXIT_UNREACHABLE
        assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert body["error"]["details"]["api_url"] == url

    def test_bad_api_url_is_a_usage_error(self, cli: Any) -> None:
        result = cli("batch", "list", token="t", url="ftp://example")

        assert result.exit_code == EXIT_USAGE
        assert "Invalid --api-url" in result.stderr

    def test_missing_argument_is_a_usage_error(self, cli: Any) -> None:
        assert cli("batch", "status").exit_code == EXIT_USAGE
