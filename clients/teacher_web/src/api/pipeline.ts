// A pipeline request under one Idempotency-Key, its 503s retried under that same key.
// A 503 from this route means "outcome unknown": the platform runs a key at most once, so
// repeating it is safe, and only a repeat can tell the teacher what became of the request.
import { ApiError, NETWORK_ERROR } from "./errors";
import type { PipelineAccepted } from "./types";

export interface RetryPolicy {
  attempts: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelaySeconds: 1, maxDelaySeconds: 30 };

export function retryDelaySeconds(policy: RetryPolicy, attempt: number, retryAfter: number | null): number {
  const wanted = retryAfter ?? policy.baseDelaySeconds * 2 ** (attempt - 1);
  return Math.min(policy.maxDelaySeconds, Math.max(0, wanted));
}

function isRetryable(error: unknown): error is ApiError {
  return error instanceof ApiError && (error.status === 503 || error.code === NETWORK_ERROR);
}

export interface PipelineRun {
  send: (idempotencyKey: string) => Promise<PipelineAccepted>;
  sleep?: (seconds: number) => Promise<void>;
  onRetry?: (attempt: number, waitSeconds: number) => void;
  policy?: RetryPolicy;
  idempotencyKey?: string;
}

const realSleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

/** The 202 body; a 503 or network failure is retried, any other error thrown at once. */
export async function requestPipelineSafely(run: PipelineRun): Promise<PipelineAccepted> {
  const key = run.idempotencyKey ?? crypto.randomUUID();
  const policy = run.policy ?? DEFAULT_RETRY;
  const sleep = run.sleep ?? realSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run.send(key);
    } catch (error) {
      if (!isRetryable(error) || attempt >= policy.attempts) throw error;
      const wait = retryDelaySeconds(policy, attempt, error.retryAfterSeconds);
      run.onRetry?.(attempt, wait);
      await sleep(wait);
    }
  }
}
