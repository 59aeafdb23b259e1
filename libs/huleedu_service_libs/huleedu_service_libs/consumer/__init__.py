"""The consumer kernel: one idempotent step runner, unit of work port, clock and event factory.

Adding a consumer is one step function and one registration line; see README.md.
"""

from huleedu_service_libs.consumer.clock import Clock, utc_now
from huleedu_service_libs.consumer.context import StepContext
from huleedu_service_libs.consumer.events import EventFactory, Outgoing
from huleedu_service_libs.consumer.ports import ClaimsMany, UnitOfWork
from huleedu_service_libs.consumer.precheck import HandledEvents, handled_before
from huleedu_service_libs.consumer.runner import (
    EnvelopeHandler,
    EventItem,
    ManyStep,
    OnCommitted,
    RunHandler,
    Step,
    StepRunner,
)

__all__ = [
    "ClaimsMany",
    "Clock",
    "EnvelopeHandler",
    "EventFactory",
    "EventItem",
    "HandledEvents",
    "ManyStep",
    "OnCommitted",
    "Outgoing",
    "RunHandler",
    "Step",
    "StepContext",
    "StepRunner",
    "UnitOfWork",
    "handled_before",
    "utc_now",
]
