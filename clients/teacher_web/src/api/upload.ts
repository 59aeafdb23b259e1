// Essay uploads over XMLHttpRequest, the one browser API that reports upload progress.
// Files go in small groups (one multipart request each): one request per file would spend the
// gateway's upload limit (30 a minute) on a class set of essays, and one request for all would
// make a single failure cost the whole folder. A group's progress is shared out to its files
// by where each file's part lies in the body.
import { ApiError, apiErrorFrom, networkError } from "./errors";
import { buildUrl, newCorrelationId, type HttpClient } from "./http";
import type { FileUploadResponse, FileUploadResult } from "./types";

export const GROUP_MAX_FILES = 8;
export const GROUP_MAX_BYTES = 16 * 1024 * 1024;

/** Consecutive groups of at most `maxFiles` files and about `maxBytes` bytes (at least one file). */
export function planGroups<T>(
  files: readonly T[],
  sizeOf: (file: T) => number,
  maxFiles = GROUP_MAX_FILES,
  maxBytes = GROUP_MAX_BYTES,
): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length > 0 && (current.length >= maxFiles || bytes + sizeOf(file) > maxBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += sizeOf(file);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Each file's share (0..1) once `loaded` of `total` body bytes are sent. The parts lie in
 * order; the multipart framing (boundaries, part headers) is shared out evenly between them.
 */
export function fileFractions(sizes: readonly number[], loaded: number, total: number): number[] {
  if (sizes.length === 0) return [];
  const payload = sizes.reduce((a, b) => a + b, 0);
  const framing = Math.max(0, total - payload) / sizes.length;
  let start = 0;
  return sizes.map((size) => {
    const length = size + framing;
    const sent = Math.min(Math.max(loaded - start, 0), length);
    start += length;
    return length > 0 ? sent / length : 1;
  });
}

export type GroupOutcome =
  | { kind: "answered"; files: FileUploadResult[] }
  | { kind: "failed"; error: ApiError };

/** Per-file results of a 201, or of a 422 that refused every file (error.details.files). */
export function outcomeOf(error: ApiError | null, response: FileUploadResponse | null): GroupOutcome {
  if (response) return { kind: "answered", files: response.files };
  const files = error?.details.files;
  if (error && Array.isArray(files) && files.length > 0) {
    return { kind: "answered", files: files as FileUploadResult[] };
  }
  return { kind: "failed", error: error ?? new ApiError({ code: "UNEXPECTED_RESPONSE", message: "", status: 0 }) };
}

export interface GroupUpload {
  promise: Promise<GroupOutcome>;
  abort: () => void;
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

/** Sends one group as a `files` multipart request; progress reports each file's fraction. */
export function uploadGroup(
  http: HttpClient,
  batchId: string,
  files: readonly File[],
  onProgress: (fractions: number[]) => void,
): GroupUpload {
  const correlationId = newCorrelationId();
  const xhr = new XMLHttpRequest();
  const promise = new Promise<GroupOutcome>((resolve) => {
    const form = new FormData();
    for (const file of files) form.append("files", file, file.name);
    xhr.open("POST", buildUrl(http.baseUrl, `/v1/batches/${encodeURIComponent(batchId)}/files`));
    for (const [name, value] of Object.entries(http.headers(true, correlationId))) {
      xhr.setRequestHeader(name, value);
    }
    const sizes = files.map((file) => file.size);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(fileFractions(sizes, event.loaded, event.total));
    };
    xhr.onerror = () => resolve({ kind: "failed", error: networkError(new Error("upload failed"), correlationId) });
    xhr.onabort = () => resolve({ kind: "failed", error: networkError(new Error("upload aborted"), correlationId) });
    xhr.onload = () => {
      const payload = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(sizes.map(() => 1));
        resolve(outcomeOf(null, payload as FileUploadResponse));
        return;
      }
      const error = apiErrorFrom(
        xhr.status,
        payload,
        xhr.getResponseHeader("Retry-After"),
        xhr.getResponseHeader("X-Correlation-ID") ?? correlationId,
      );
      http.reportUnauthorized(error);
      resolve(outcomeOf(error, null));
    };
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
