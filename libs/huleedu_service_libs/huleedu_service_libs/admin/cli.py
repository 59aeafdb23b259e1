"""`huleedu-admin`: operator commands for the outbox backlog and the dead-letter topics."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence

from aiokafka.errors import KafkaError

from huleedu_service_libs.admin.dlq_commands import OffsetArgumentError, dlq_list, dlq_replay
from huleedu_service_libs.admin.dlq_reader import TopicNotFoundError
from huleedu_service_libs.admin.outbox_commands import (
    SERVICE_DATABASES,
    UsageError,
    describe,
    outbox_status,
    outbox_unpark,
)
from huleedu_service_libs.config import InfraSettings

Command = Callable[[argparse.Namespace], Awaitable[int]]

USAGE = """\
examples:
  huleedu-admin outbox [--service NAME ...] [--json]
  huleedu-admin outbox --database-url URL [--schema S]
  huleedu-admin outbox unpark --service NAME [--database-url URL --schema S] (--ids ID ... | --all)
  huleedu-admin dlq list [--json]                 every DLQ topic and its depth
  huleedu-admin dlq list TOPIC [--limit N] [--json]
  huleedu-admin dlq replay TOPIC (--offset [P:]N ... | --all) [--dry-run]

PostgreSQL and Kafka coordinates come from the HULEEDU_* environment variables.
"""


def _database_options(*, inherit: bool = False) -> argparse.ArgumentParser:
    # A sub-command parses into a fresh namespace that is copied over its parent's, so its own
    # defaults would erase options given before it (`outbox --database-url X unpark ...`);
    # `inherit` suppresses them so those values survive.
    unset: object = argparse.SUPPRESS if inherit else None
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--database-url",
        default=unset,
        help="inspect this database instead of the service databases",
    )
    parent.add_argument("--schema", default=unset, help="search_path to use (e.g. a test schema)")
    parent.add_argument(
        "--timeout",
        type=float,
        default=argparse.SUPPRESS if inherit else 5.0,
        help="connect timeout in seconds (default 5)",
    )
    return parent


def _kafka_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--bootstrap-servers", help="Kafka bootstrap servers (default: HULEEDU_KAFKA_* settings)"
    )
    parent.add_argument(
        "--timeout", type=float, default=30.0, help="give up reading after N seconds (default 30)"
    )
    return parent


def _add_outbox(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = _database_options()
    services = ", ".join(SERVICE_DATABASES)
    outbox = commands.add_parser(
        "outbox",
        parents=[db],
        help="outbox backlog per service database",
        description=f"Pending and parked outbox rows. Services: {services}.",
    )
    outbox.add_argument(
        "--service", action="extend", nargs="+", metavar="NAME", help="only these services"
    )
    outbox.add_argument("--json", action="store_true", help="JSON output")
    outbox.set_defaults(command=outbox_status)
    actions = outbox.add_subparsers(dest="outbox_action", metavar="ACTION")
    unpark = actions.add_parser(
        "unpark",
        parents=[_database_options(inherit=True)],
        help="make parked rows eligible for publishing again",
    )
    unpark.add_argument("--service", action="extend", nargs=1, metavar="NAME", required=True)
    which = unpark.add_mutually_exclusive_group(required=True)
    which.add_argument("--ids", type=int, nargs="+", metavar="ID", help="these outbox row ids")
    which.add_argument("--all", action="store_true", help="every parked row")
    unpark.set_defaults(command=outbox_unpark)


def _add_dlq(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kafka = _kafka_options()
    dlq = commands.add_parser("dlq", help="inspect and replay dead-letter topics")
    actions = dlq.add_subparsers(dest="dlq_action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list",
        parents=[kafka],
        help="every DLQ with its depth, or one DLQ's messages with their errors",
    )
    listing.add_argument(
        "topic", metavar="TOPIC", nargs="?", help="topic, with or without .dlq (all when left out)"
    )
    listing.add_argument("--limit", type=int, default=100, help="at most N messages (100)")
    listing.add_argument("--json", action="store_true", help="JSON output")
    listing.set_defaults(command=dlq_list)
    replay = actions.add_parser(
        "replay", parents=[kafka], help="send DLQ messages back to their original topic"
    )
    replay.add_argument("topic", metavar="TOPIC", help="topic, with or without .dlq")
    which = replay.add_mutually_exclusive_group(required=True)
    which.add_argument("--offset", nargs="+", metavar="[P:]N", help="exactly these offsets")
    which.add_argument("--all", action="store_true", help="everything not replayed yet")
    replay.add_argument(
        "--partition", type=int, default=0, help="partition of bare --offset values (0)"
    )
    replay.add_argument("--dry-run", action="store_true", help="show, do not publish")
    replay.set_defaults(command=dlq_replay)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = argparse.ArgumentParser(
        prog="huleedu-admin",
        description="HuleEdu operator commands: outbox backlog, DLQ inspection and replay.",
        epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="area", metavar="COMMAND", required=True)
    _add_outbox(commands)
    _add_dlq(commands)
    return parser


async def run(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the command; returns the exit status (await this from tests)."""
    args = build_parser().parse_args(argv)
    if getattr(args, "bootstrap_servers", None) is None and args.area == "dlq":
        args.bootstrap_servers = InfraSettings().kafka_bootstrap_servers
    command: Command = args.command
    try:
        return await command(args)
    except (UsageError, OffsetArgumentError) as exc:
        print(f"huleedu-admin: {exc}", file=sys.stderr)
        return 2
    except TopicNotFoundError as exc:
        print(f"huleedu-admin: {exc}", file=sys.stderr)
        return 1
    except (KafkaError, TimeoutError, OSError) as exc:
        print(f"huleedu-admin: Kafka error: {describe(exc)}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point."""
    try:
        return asyncio.run(run(argv))
    except KeyboardInterrupt:
        return 130
