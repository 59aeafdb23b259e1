"""classify_dependency_error and the dependency-named 503: the shapes an outage takes."""

from __future__ import annotations

import aiohttp
import asyncpg
import pytest
import redis.exceptions as redis_errors
import sqlalchemy.exc as sa_errors
from aiohttp.client_reqrep import ConnectionKey
from aiokafka import errors as kafka_errors

from huleedu_service_libs.clients import ContentServiceUnavailable
from huleedu_service_libs.resilience import (
    DependencyFailure,
    DownstreamDependencyUnavailable,
    classify_dependency_error,
    retry_after_in,
    unavailable_dependency_in,
)

pytestmark = pytest.mark.unit


def _raised_in(module: str, exc: BaseException) -> BaseException:
    """`exc` as raised by code of `module` (its traceback's frame says where it came from)."""
    namespace: dict[str, object] = {"__name__": module, "exc": exc}
    exec(compile("def fail():\n    raise exc\n", f"<{module}>", "exec"), namespace)  # noqa: S102
    try:
        namespace["fail"]()  # type: ignore[operator]
    except BaseException as raised:
        return raised
    raise AssertionError("not raised")


def _dbapi_error(*, invalidated: bool) -> sa_errors.DBAPIError:
    orig = asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
    return sa_errors.DBAPIError("SELECT 1", {}, orig, connection_invalidated=invalidated)


def _connector_error() -> aiohttp.ClientConnectorError:
    key = ConnectionKey("10.0.0.5", 5002, False, True, None, None, None)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused"))


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            _raised_in("asyncpg.connect_utils", ConnectionRefusedError(111, "Connect call failed")),
            DependencyFailure("postgres", "unreachable"),
        ),
        (
            _raised_in("sqlalchemy.pool.base", TimeoutError()),
            DependencyFailure("postgres", "timeout"),
        ),
        (_dbapi_error(invalidated=True), DependencyFailure("postgres", "connection_lost")),
        (
            asyncpg.ConnectionDoesNotExistError("closed"),
            DependencyFailure("postgres", "connection_lost"),
        ),
        (
            asyncpg.CannotConnectNowError("the database system is starting up"),
            DependencyFailure("postgres", "unreachable"),
        ),
        (
            asyncpg.TooManyConnectionsError("too many clients"),
            DependencyFailure("postgres", "unreachable"),
        ),
        (
            sa_errors.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
            DependencyFailure("postgres", "pool_exhausted"),
        ),
        (
            sa_errors.OperationalError("SELECT 1", {}, Exception("terminating connection")),
            DependencyFailure("postgres", "unavailable"),
        ),
        (
            sa_errors.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
            DependencyFailure("postgres", "connection_lost"),
        ),
        (
            redis_errors.ConnectionError("Error 111 connecting"),
            DependencyFailure("redis", "unreachable"),
        ),
        (redis_errors.BusyLoadingError("loading"), DependencyFailure("redis", "unreachable")),
        (
            redis_errors.TimeoutError("Timeout reading from socket"),
            DependencyFailure("redis", "timeout"),
        ),
        (
            _raised_in("redis.asyncio.connection", OSError(113, "No route to host")),
            DependencyFailure("redis", "unreachable"),
        ),
        (
            kafka_errors.KafkaConnectionError("Unable to bootstrap"),
            DependencyFailure("kafka", "unreachable"),
        ),
        (kafka_errors.KafkaTimeoutError(), DependencyFailure("kafka", "unreachable")),
        (
            _raised_in("huleedu_service_libs.kafka.producer", ConnectionError("no broker")),
            DependencyFailure("kafka", "unreachable"),
        ),
        (_connector_error(), DependencyFailure("10.0.0.5:5002", "unreachable")),
        (aiohttp.ServerDisconnectedError(), DependencyFailure("downstream", "connection_lost")),
        (
            ContentServiceUnavailable("5xx after 3 attempts"),
            DependencyFailure("content_service", "unavailable"),
        ),
        (
            DownstreamDependencyUnavailable("batch_orchestrator_service", "postgres", 3.0),
            DependencyFailure("batch_orchestrator_service", "dependency_unavailable"),
        ),
    ],
)
def test_outages_are_recognised(exc: BaseException, expected: DependencyFailure) -> None:
    assert classify_dependency_error(exc) == expected


def test_an_outage_wrapped_in_another_exception_is_still_recognised() -> None:
    outer = RuntimeError("could not load the batch")
    outer.__cause__ = _dbapi_error(invalidated=True)
    assert classify_dependency_error(outer) == DependencyFailure("postgres", "connection_lost")


@pytest.mark.parametrize(
    "exc",
    [
        RuntimeError("a bug"),
        ValueError("bad input"),
        # A statement's own error on a live connection.
        sa_errors.DBAPIError("SELECT 1/0", {}, asyncpg.DivisionByZeroError("division by zero")),
        sa_errors.IntegrityError("INSERT", {}, Exception("duplicate key")),
        redis_errors.ResponseError("WRONGTYPE"),
        kafka_errors.UnknownTopicOrPartitionError(),
        # A refused connection from code no driver owns: nobody can say what is down.
        _raised_in("some_service.domain", ConnectionRefusedError(111, "refused")),
    ],
)
def test_everything_else_stays_unclassified(exc: BaseException) -> None:
    assert classify_dependency_error(exc) is None


def test_a_cycle_in_the_exception_chain_ends() -> None:
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__context__, second.__context__ = second, first
    assert classify_dependency_error(first) is None


class TestDependencyNamedIn503:
    BODY = (
        b'{"error": {"code": "SERVICE_UNAVAILABLE", "message": "m", "correlation_id": "c",'
        b' "service": "batch_orchestrator_service", "details": {"dependency": "postgres"}}}'
    )

    def test_a_503_naming_its_dependency(self) -> None:
        assert unavailable_dependency_in(503, self.BODY) == "postgres"

    @pytest.mark.parametrize(
        ("status", "body"),
        [
            (500, BODY),
            (503, b'{"error": {"code": "SERVICE_UNAVAILABLE", "details": {}}}'),
            (503, b"<html>Service Unavailable</html>"),
            (503, b'{"error": {"details": {"dependency": ""}}}'),
            (503, b"[]"),
        ],
    )
    def test_anything_else_names_none(self, status: int, body: bytes) -> None:
        assert unavailable_dependency_in(status, body) is None

    def test_retry_after(self) -> None:
        assert retry_after_in({"Retry-After": "7"}, 1.0) == 7.0
        assert retry_after_in({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}, 1.0) == 1.0
        assert retry_after_in({}, 2.0) == 2.0
