"""huleedu-admin argument parsing: options reach the command wherever they are given."""

from __future__ import annotations

import pytest

from huleedu_service_libs.admin import build_parser

URL = "postgresql://huleedu:x@127.0.0.1:25432/custom"


@pytest.mark.parametrize(
    "argv",
    [
        ["outbox", "unpark", "--service", "file_service", "--database-url", URL, "--schema", "s1"],
        ["outbox", "--database-url", URL, "--schema", "s1", "unpark", "--service", "file_service"],
    ],
    ids=["after-unpark", "before-unpark"],
)
def test_unpark_keeps_database_options_before_or_after_the_subcommand(argv: list[str]) -> None:
    args = build_parser().parse_args([*argv, "--all"])
    assert (args.database_url, args.schema, args.service) == (URL, "s1", ["file_service"])
    assert args.timeout == 5.0


def test_unpark_timeout_given_to_either_parser() -> None:
    parser = build_parser()
    base = ["--service", "file_service", "--all"]
    assert parser.parse_args(["outbox", "--timeout", "2", "unpark", *base]).timeout == 2.0
    assert parser.parse_args(["outbox", "unpark", "--timeout", "3", *base]).timeout == 3.0


def test_outbox_status_defaults() -> None:
    args = build_parser().parse_args(["outbox"])
    assert (args.database_url, args.schema, args.timeout) == (None, None, 5.0)
