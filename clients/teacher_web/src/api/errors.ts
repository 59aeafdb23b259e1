// The gateway's one error body, and failures that never reached it, as one error type.
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    correlation_id?: string;
    service?: string;
    details?: Record<string, unknown>;
  };
}

// Codes of our own for failures that have no gateway body.
export const NETWORK_ERROR = "NETWORK_ERROR";
export const UNEXPECTED_RESPONSE = "UNEXPECTED_RESPONSE";

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly correlationId: string;
  readonly details: Record<string, unknown>;
  readonly retryAfterSeconds: number | null;

  constructor(options: {
    code: string;
    message: string;
    status: number;
    correlationId?: string;
    details?: Record<string, unknown>;
    retryAfterSeconds?: number | null;
  }) {
    super(options.message);
    this.name = "ApiError";
    this.code = options.code;
    this.status = options.status;
    this.correlationId = options.correlationId ?? "";
    this.details = options.details ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }
}

export function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number.parseFloat(value.trim());
  return Number.isFinite(seconds) ? Math.max(0, seconds) : null;
}

function isErrorBody(payload: unknown): payload is ErrorBody {
  if (typeof payload !== "object" || payload === null) return false;
  const inner = (payload as { error?: unknown }).error;
  return typeof inner === "object" && inner !== null && typeof (inner as { code?: unknown }).code === "string";
}

/** An ApiError from a failed response's status, body and headers, ours or a proxy's. */
export function apiErrorFrom(
  status: number,
  payload: unknown,
  retryAfter: string | null,
  correlationId: string,
): ApiError {
  if (isErrorBody(payload)) {
    const { error } = payload;
    return new ApiError({
      code: error.code,
      message: error.message,
      status,
      correlationId: error.correlation_id || correlationId,
      details: error.details ?? {},
      retryAfterSeconds: parseRetryAfter(retryAfter),
    });
  }
  return new ApiError({
    code: status === 503 ? "SERVICE_UNAVAILABLE" : UNEXPECTED_RESPONSE,
    message: `HTTP ${status}`,
    status,
    correlationId,
    details: { status },
    retryAfterSeconds: parseRetryAfter(retryAfter),
  });
}

export function networkError(cause: unknown, correlationId: string): ApiError {
  return new ApiError({
    code: NETWORK_ERROR,
    message: cause instanceof Error ? cause.message : String(cause),
    status: 0,
    correlationId,
  });
}
