"""configure_logging: one format for structlog and stdlib lines, carrying the request ids."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from huleedu_service_libs.correlation import (
    CORRELATION_ID_HEADER,
    USER_ID_HEADER,
    correlation_context,
    ensure_correlation_id,
    get_correlation_id,
    get_user_id,
    outgoing_headers,
    reset_correlation_id,
    set_correlation_id,
)
from huleedu_service_libs.logging_setup import configure_logging, get_logger

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Give root logging and structlog back as found; the handler points at capsys' stream."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    structlog_config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**structlog_config)


def _json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


class TestConfigureLogging:
    def test_json_lines_carry_service_and_request_ids(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        configure_logging("content_service", "INFO", json_logs=True)
        with correlation_context("cid-42", user_id="teacher-7"):
            get_logger("tests.structlog").info("stored.content", content_id="c1")
            logging.getLogger("aiokafka.consumer").warning("rebalance %s", "started")

        first, second = _json_lines(capsys.readouterr().out)
        assert first["event"] == "stored.content"
        assert first["content_id"] == "c1"
        assert first["level"] == "info"
        assert first["logger"] == "tests.structlog"
        assert (first["service"], first["correlation_id"], first["user_id"]) == (
            "content_service",
            "cid-42",
            "teacher-7",
        )
        assert "timestamp" in first
        assert second["event"] == "rebalance started"
        assert second["level"] == "warning"
        assert second["logger"] == "aiokafka.consumer"
        assert (second["service"], second["correlation_id"], second["user_id"]) == (
            "content_service",
            "cid-42",
            "teacher-7",
        )

    def test_lines_outside_a_request_have_null_ids(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        configure_logging("worker", json_logs=True)
        get_logger("tests").info("idle")
        (line,) = _json_lines(capsys.readouterr().out)
        assert line["correlation_id"] is None
        assert line["user_id"] is None

    def test_calling_twice_does_not_duplicate_lines(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        configure_logging("svc", json_logs=True)
        configure_logging("svc", json_logs=True)
        get_logger("tests").info("once")
        logging.getLogger("sqlalchemy.engine").warning("once too")
        lines = _json_lines(capsys.readouterr().out)
        assert [line["event"] for line in lines] == ["once", "once too"]

    def test_reconfiguring_changes_service_and_level(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        configure_logging("first", "INFO", json_logs=True)
        configure_logging("second", "WARNING", json_logs=True)
        logger = get_logger("tests")
        logger.info("dropped")
        logging.getLogger("hypercorn.error").info("dropped too")
        logger.warning("kept")
        (line,) = _json_lines(capsys.readouterr().out)
        assert line["event"] == "kept"
        assert line["service"] == "second"

    def test_console_renderer_in_development(self, capsys: pytest.CaptureFixture[str]) -> None:
        configure_logging("svc", "DEBUG", json_logs=False)
        with correlation_context("cid-console"):
            get_logger("tests").debug("hello", batch_id="b1")
        out = capsys.readouterr().out
        assert "hello" in out
        assert "correlation_id=cid-console" in out
        assert "batch_id=b1" in out
        assert not out.lstrip().startswith("{")

    def test_json_exceptions_are_structured(self, capsys: pytest.CaptureFixture[str]) -> None:
        configure_logging("svc", json_logs=True)
        try:
            raise ValueError("bad value")
        except ValueError:
            get_logger("tests").exception("failed")
        (line,) = _json_lines(capsys.readouterr().out)
        assert line["event"] == "failed"
        assert line["exception"][0]["exc_type"] == "ValueError"
        assert line["exception"][0]["exc_value"] == "bad value"

    @pytest.mark.parametrize("json_logs", [True, False])
    def test_tracebacks_never_show_local_variables(
        self, capsys: pytest.CaptureFixture[str], json_logs: bool
    ) -> None:
        # A failing frame's locals may hold decrypted personal data; only the trace is logged.
        configure_logging("svc", json_logs=json_logs)

        def fail(email: str) -> None:
            raise RuntimeError("database unavailable")

        try:
            # Built at run time: rich tracebacks print source lines, which are not locals.
            fail("".join(reversed("es.alioks@nossnevs.anna")))
        except RuntimeError:
            get_logger("tests").exception("failed")
        out = capsys.readouterr().out
        assert "database unavailable" in out
        assert "anna.svensson" not in out

    def test_unknown_level_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown log level"):
            configure_logging("svc", "LOUD")


class TestCorrelationContext:
    def test_context_sets_and_restores_ids(self) -> None:
        assert get_correlation_id() is None
        with correlation_context("outer", user_id="u1") as cid:
            assert cid == "outer"
            with correlation_context("inner"):
                assert (get_correlation_id(), get_user_id()) == ("inner", None)
            assert (get_correlation_id(), get_user_id()) == ("outer", "u1")
        assert (get_correlation_id(), get_user_id()) == (None, None)

    def test_context_without_id_creates_a_uuid4(self) -> None:
        with correlation_context() as cid:
            assert uuid.UUID(cid).version == 4
            assert get_correlation_id() == cid

    @pytest.mark.parametrize("bad", ["", "x" * 129, "a\nforged log line", "spaces here"])
    def test_malformed_incoming_ids_are_replaced(self, bad: str) -> None:
        replaced = ensure_correlation_id(bad)
        assert replaced != bad
        assert uuid.UUID(replaced).version == 4

    def test_well_formed_incoming_id_is_kept(self) -> None:
        assert ensure_correlation_id("req-2024.01:abc_DEF") == "req-2024.01:abc_DEF"

    def test_outgoing_headers_propagate_current_ids(self) -> None:
        assert outgoing_headers() == {}
        with correlation_context("cid-out", user_id="u9"):
            assert outgoing_headers() == {CORRELATION_ID_HEADER: "cid-out", USER_ID_HEADER: "u9"}
        token = set_correlation_id("only-cid")
        try:
            assert outgoing_headers() == {CORRELATION_ID_HEADER: "only-cid"}
        finally:
            reset_correlation_id(token)
