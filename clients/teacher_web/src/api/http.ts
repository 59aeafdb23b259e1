// fetch with the gateway's conventions: bearer token, correlation id, one error type.
import { ApiError, apiErrorFrom, networkError } from "./errors";

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  json?: unknown;
  body?: BodyInit;
  query?: Query;
  headers?: Record<string, string>;
  auth?: boolean;
  signal?: AbortSignal;
}

export interface HttpResult<T> {
  data: T;
  headers: Headers;
  status: number;
}

export interface HttpClientOptions {
  baseUrl?: string;
  token: () => string | null;
  onUnauthorized?: (error: ApiError) => void;
  fetchImpl?: typeof fetch;
}

export function newCorrelationId(): string {
  return crypto.randomUUID();
}

export function buildUrl(baseUrl: string, path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `${baseUrl}${path}${search ? `?${search}` : ""}`;
}

async function decode(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export class HttpClient {
  readonly baseUrl: string;
  private readonly token: () => string | null;
  private readonly onUnauthorized: (error: ApiError) => void;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HttpClientOptions) {
    this.baseUrl = options.baseUrl ?? "";
    this.token = options.token;
    this.onUnauthorized = options.onUnauthorized ?? (() => undefined);
    this.fetchImpl = options.fetchImpl ?? ((...args) => fetch(...args));
  }

  /** Headers every call carries; the correlation id lets a teacher quote a failure. */
  headers(auth: boolean, correlationId: string): Record<string, string> {
    const headers: Record<string, string> = {
      Accept: "application/json",
      "X-Correlation-ID": correlationId,
    };
    const token = auth ? this.token() : null;
    if (token) headers.Authorization = `Bearer ${token}`;
    return headers;
  }

  reportUnauthorized(error: ApiError): void {
    if (error.status === 401) this.onUnauthorized(error);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> {
    const correlationId = newCorrelationId();
    const headers = { ...this.headers(options.auth ?? true, correlationId), ...options.headers };
    let body = options.body;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    let response: Response;
    try {
      response = await this.fetchImpl(buildUrl(this.baseUrl, path, options.query), {
        method,
        headers,
        body,
        signal: options.signal,
        credentials: "omit",
      });
    } catch (cause) {
      throw networkError(cause, correlationId);
    }
    const payload = await decode(response);
    if (!response.ok) {
      const error = apiErrorFrom(
        response.status,
        payload,
        response.headers.get("Retry-After"),
        response.headers.get("X-Correlation-ID") ?? correlationId,
      );
      this.reportUnauthorized(error);
      throw error;
    }
    return { data: payload as T, headers: response.headers, status: response.status };
  }

  async call<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.request<T>(method, path, options)).data;
  }
}
