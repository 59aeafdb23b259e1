"""structlog setup shared by every process: JSON in production, console in development.

Named logging_setup so it never shadows the stdlib `logging` module.
"""

from __future__ import annotations

import importlib.util
import logging
import sys

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, Processor, WrappedLogger

from huleedu_service_libs.correlation import get_correlation_id, get_user_id
from huleedu_service_libs.kafka.backoff import rate_limit_connect_failures

__all__ = ["configure_logging", "get_logger"]


class _HuleEduHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marker class so a second configure_logging call replaces, not duplicates, our handler."""


class _AddRequestContext:
    """Adds service, correlation_id and user_id to every line (structlog's and stdlib's)."""

    def __init__(self, service_name: str) -> None:
        self._service_name = service_name

    def __call__(self, logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        # setdefault: a value bound explicitly on the logger or in contextvars wins.
        event_dict.setdefault("service", self._service_name)
        event_dict.setdefault("correlation_id", get_correlation_id())
        event_dict.setdefault("user_id", get_user_id())
        return event_dict


def _parse_level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    mapping = logging.getLevelNamesMapping()
    try:
        return mapping[level.strip().upper()]
    except KeyError:
        raise ValueError(f"unknown log level {level!r}") from None


def _console_traceback_formatter() -> structlog.typing.ExceptionRenderer:
    """Rich tracebacks when rich is installed, plain otherwise; never with locals."""
    if importlib.util.find_spec("rich") is not None:
        return structlog.dev.RichTracebackFormatter(show_locals=False)
    return structlog.dev.plain_traceback


def _final_processors(json_logs: bool) -> list[Processor]:
    """The exception rendering and the renderer that end every line's processor chain."""
    # Tracebacks without local variables: structlog shows them by default, and locals of
    # a failing frame hold whatever it was working on (decrypted student names, emails,
    # request bodies), which must never reach a log.
    if json_logs:
        return [
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
            structlog.processors.JSONRenderer(),
        ]
    return [
        structlog.dev.ConsoleRenderer(
            colors=sys.stdout.isatty(), exception_formatter=_console_traceback_formatter()
        )
    ]


def _install_root_handler(formatter: logging.Formatter, log_level: int) -> None:
    """Our one stdout handler on the root logger; library handlers dropped so lines are single."""
    handler = _HuleEduHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in [h for h in root.handlers if isinstance(h, _HuleEduHandler)]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(log_level)
    # Libraries (aiokafka, sqlalchemy, hypercorn, uvicorn) log through stdlib loggers that
    # propagate to root; drop handlers they may have installed so lines are not doubled.
    for name in ("hypercorn.error", "hypercorn.access", "uvicorn", "uvicorn.error"):
        lib_logger = logging.getLogger(name)
        lib_logger.handlers.clear()
        lib_logger.propagate = True


def configure_logging(
    service_name: str, level: str | int = "INFO", json_logs: bool = False
) -> None:
    """Route structlog and stdlib logging through one formatter; safe to call again."""
    log_level = _parse_level(level)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        _AddRequestContext(service_name),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: reconfiguring (a second call, tests' capture_logs) must reach loggers
        # that modules created at import time.
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *_final_processors(json_logs),
        ],
    )
    _install_root_handler(formatter, log_level)
    logging.captureWarnings(True)
    # aiokafka logs every failed reconnect while Kafka is down: keep one line per node per 10 s.
    rate_limit_connect_failures()


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    """A structlog logger; use module __name__ so lines say where they come from."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
