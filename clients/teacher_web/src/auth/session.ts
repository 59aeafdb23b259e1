// The signed-in teacher's token, kept in sessionStorage (this tab only, gone when it closes)
// and never in a URL.
export interface Session {
  token: string;
  userId: string;
  expiresAt: number; // epoch ms
  method: "development" | "oidc";
}

export const SESSION_KEY = "huleedu.session";

export function readSession(storage: Storage = sessionStorage, now = Date.now()): Session | null {
  const raw = storage.getItem(SESSION_KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    if (typeof session.token !== "string" || session.expiresAt <= now) {
      storage.removeItem(SESSION_KEY);
      return null;
    }
    return session;
  } catch {
    storage.removeItem(SESSION_KEY);
    return null;
  }
}

export function writeSession(session: Session, storage: Storage = sessionStorage): void {
  storage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(storage: Storage = sessionStorage): void {
  storage.removeItem(SESSION_KEY);
  // oidc-client-ts keeps the provider's user (with its access token) and sign-in state under
  // "oidc." keys; signing out must not leave a token behind in the tab.
  const oidcKeys: string[] = [];
  for (let i = 0; i < storage.length; i += 1) {
    const key = storage.key(i);
    if (key?.startsWith("oidc.")) oidcKeys.push(key);
  }
  oidcKeys.forEach((key) => storage.removeItem(key));
}

/** The `sub` of a JWT, for display only (the gateway verifies the token). */
export function subjectOf(token: string): string | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as { sub?: unknown };
    return typeof claims.sub === "string" ? claims.sub : null;
  } catch {
    return null;
  }
}
