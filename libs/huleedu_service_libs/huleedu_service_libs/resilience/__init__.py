"""Resilience: an asyncio circuit breaker over pybreaker; what a dependency outage looks like."""

from huleedu_service_libs.resilience.circuit_breaker import (
    DEFAULT_RESET_TIMEOUT_SECONDS,
    AsyncCircuitBreaker,
    CircuitOpenError,
    Exclusion,
)
from huleedu_service_libs.resilience.outages import (
    KAFKA,
    POSTGRES,
    REDIS,
    DependencyFailure,
    DownstreamDependencyUnavailable,
    classify_dependency_error,
    retry_after_in,
    unavailable_dependency_in,
)

__all__ = [
    "DEFAULT_RESET_TIMEOUT_SECONDS",
    "KAFKA",
    "POSTGRES",
    "REDIS",
    "AsyncCircuitBreaker",
    "CircuitOpenError",
    "DependencyFailure",
    "DownstreamDependencyUnavailable",
    "Exclusion",
    "classify_dependency_error",
    "retry_after_in",
    "unavailable_dependency_in",
]
