// Any failure as words a teacher understands: the code's localised sentence first, then
// what the server added, when to retry, and the reference support can look up.
import { ApiError } from "@/api/errors";

export interface ErrorText {
  title: string;
  detail: string | null;
  retry: string | null;
  reference: string | null;
}

type Translate = (key: string, values?: Record<string, unknown>) => string;
type Has = (key: string) => boolean;

function serverDetail(error: ApiError): string | null {
  const named = error.details.named_courses;
  if (named && typeof named === "object") {
    return Object.entries(named as Record<string, string>)
      .map(([file, course]) => `${file}: ${course}`)
      .join(", ");
  }
  return error.message && !/^HTTP \d+$/.test(error.message) ? error.message : null;
}

export function errorText(error: unknown, t: Translate, has: Has): ErrorText {
  if (!(error instanceof ApiError)) {
    return { title: t("errors.INTERNAL_ERROR"), detail: error instanceof Error ? error.message : null, retry: null, reference: null };
  }
  const key = `errors.${error.code}`;
  const title = has(key) ? t(key) : t("errors.generic", { code: error.code });
  const detail = serverDetail(error);
  return {
    title,
    detail: detail && detail !== title ? detail : null,
    retry: error.retryAfterSeconds !== null ? t("errors.retryAfter", { seconds: Math.ceil(error.retryAfterSeconds) }) : null,
    reference: error.correlationId ? t("errors.reference", { id: error.correlationId }) : null,
  };
}

/** The localised reason for a rejected file, from its error code. */
export function rejectionText(code: string | null, t: Translate, has: Has): string {
  if (!code) return "";
  const key = `errors.${code}`;
  return has(key) ? t(key) : t("errors.generic", { code });
}
