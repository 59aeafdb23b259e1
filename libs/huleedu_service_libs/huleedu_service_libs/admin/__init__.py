"""Operator commands (`huleedu-admin`): outbox backlog and unparking, DLQ list and replay."""

from huleedu_service_libs.admin.cli import build_parser, main, run
from huleedu_service_libs.admin.dlq_reader import REPLAY_GROUP
from huleedu_service_libs.admin.outbox_commands import SERVICE_DATABASES

__all__ = ["REPLAY_GROUP", "SERVICE_DATABASES", "build_parser", "main", "run"]
