"""Requesting a pipeline safely: one idempotency key per invocation, 503s retried under it.

A 503 from the pipeline route means the gateway could not confirm the request: it may still
run. Retrying under the same key is safe (the platform runs it at most once and answers with
the first attempt's outcome), so the CLI retries a few times with backoff and, if it gives up,
tells the teacher the key to retry with later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from huleedu_cli.api import GatewayApi, JsonDict
from huleedu_cli.errors import ApiError, CliError
from huleedu_cli.output import Output


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a 503 is retried."""

    attempts: int = 4
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0

    def delay(self, attempt: int, retry_after: int | None) -> float:
        """The gateway's Retry-After if it gave one, else 1, 2, 4 ... s; never above the cap."""
        wanted = retry_after if retry_after is not None else self.base_delay_s * 2 ** (attempt - 1)
        return float(min(self.max_delay_s, max(0.0, wanted)))


class PipelineOutcomeUnknown(CliError):
    """Every attempt was answered 503: the request may or may not run."""

    def describe(self) -> str:
        """What happened and the command that retries safely."""
        return self.message


async def request_pipeline(
    api: GatewayApi,
    out: Output,
    batch_id: str,
    pipeline: str,
    key: str,
    policy: RetryPolicy,
    disabled_grammar_categories: Sequence[str] = (),
) -> JsonDict:
    """The gateway's 202 body; 503s are retried under `key`, other errors raised at once."""
    attempt = 1
    while True:
        try:
            accepted = await api.run_pipeline(batch_id, pipeline, key, disabled_grammar_categories)
        except ApiError as err:
            if err.status != 503:
                raise
            if attempt >= policy.attempts:
                retry = _retry_command(batch_id, pipeline, key, disabled_grammar_categories)
                raise _gave_up(err, pipeline, key, attempt, retry) from err
            wait = policy.delay(attempt, err.retry_after)
            out.warn(
                f"Attempt {attempt} of {policy.attempts}: the gateway could not confirm the "
                f"request ({err.code}), so it may or may not run. Retrying in {wait:g} s "
                f"with the same request key {key} (the pipeline runs at most once)."
            )
            await asyncio.sleep(wait)
            attempt += 1
            continue
        if attempt > 1:
            out.info(f"Confirmed on attempt {attempt} of {policy.attempts}.")
        return accepted


def _retry_command(batch_id: str, pipeline: str, key: str, disabled: Sequence[str]) -> str:
    """The command that repeats this request under the same key."""
    flags = "".join(f" --disable-category {category}" for category in disabled)
    return f"huleedu pipeline run {batch_id} --pipeline {pipeline}{flags} --idempotency-key {key}"


def _gave_up(
    err: ApiError, pipeline: str, key: str, attempts: int, retry: str
) -> PipelineOutcomeUnknown:
    return PipelineOutcomeUnknown(
        code=err.code,
        message=(
            f"The {pipeline} request could not be confirmed after {attempts} attempt(s) "
            f"({err.code}): it may or may not run. Check later with `{retry}`: under the same "
            "key it runs at most once and answers with what became of this request."
        ),
        status=err.status,
        correlation_id=err.correlation_id,
        service=err.service,
        details={**err.details, "idempotency_key": key, "attempts": attempts},
        retry_after=err.retry_after,
    )
