"""The consumer kernel: one idempotent step runner, unit of work port, clock and event factory.

Adding a consumer is one step function and one registration line; see README.md.
"""

from huleedu_service_libs.consumer.clock import Clock, utc_now
from huleedu_service_libs.consumer.context import StepContext
from huleedu_service_libs.consumer.events import EventFactory, Outgoing
from huleedu_service_libs.consumer.ports import UnitOfWork
from huleedu_service_libs.consumer.runner import EnvelopeHandler, OnCommitted, Step, StepRunner

__all__ = [
    "Clock",
    "EnvelopeHandler",
    "EventFactory",
    "OnCommitted",
    "Outgoing",
    "Step",
    "StepContext",
    "StepRunner",
    "UnitOfWork",
    "utc_now",
]
