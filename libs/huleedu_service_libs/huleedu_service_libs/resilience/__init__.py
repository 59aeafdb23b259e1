"""Resilience for calls between services: an asyncio circuit breaker over pybreaker."""

from huleedu_service_libs.resilience.circuit_breaker import (
    AsyncCircuitBreaker,
    CircuitOpenError,
    Exclusion,
)

__all__ = ["AsyncCircuitBreaker", "CircuitOpenError", "Exclusion"]
