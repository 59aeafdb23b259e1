import { createPinia, setActivePinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { SESSION_KEY, type Session } from "@/auth/session";
import type { OidcConfig } from "@/config";

const fakeApi = vi.hoisted(() => ({ mintDevToken: vi.fn() }));
vi.mock("@/services", () => ({ api: fakeApi, http: {}, connectAuth: vi.fn() }));

const fakeOidc = vi.hoisted(() => {
  const signIn = { start: vi.fn(), complete: vi.fn() };
  return { signIn, oidcSignIn: vi.fn(() => signIn) };
});
vi.mock("@/auth/oidc", () => ({ oidcSignIn: fakeOidc.oidcSignIn }));

const { useAuthStore } = await import("@/stores/auth");

// 2030-01-01T00:00:00Z: the store reads the clock for expiry, so the tests fix it.
const NOW_MS = 1_893_456_000_000;
const OIDC: OidcConfig = {
  authority: "https://login.skola.example/realms/huleedu",
  client_id: "huleedu-teacher-web",
  redirect_uri: "https://huleedu.skola.example/auth/callback",
  scope: "openid profile",
};

const jwt = (claims: object) => `e30.${btoa(JSON.stringify(claims)).replace(/=+$/, "")}.signature`;
const stored = () => JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null") as Session | null;

function expectNowhereInAUrl(token: string) {
  expect(window.location.href).not.toContain(token);
  expect(window.history.state === null ? "" : JSON.stringify(window.history.state)).not.toContain(token);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: NOW_MS });
  sessionStorage.clear();
  localStorage.clear();
  setActivePinia(createPinia());
  vi.clearAllMocks();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("auth store", () => {
  it("keeps a development token in memory and this tab's sessionStorage only", async () => {
    const token = jwt({ sub: "teacher-7@skola" });
    fakeApi.mintDevToken.mockResolvedValue({ access_token: token, token_type: "bearer", expires_in: 3600 });
    const auth = useAuthStore();

    await auth.signInDevelopment("  teacher-7 ");

    expect(fakeApi.mintDevToken).toHaveBeenCalledWith("teacher-7");
    expect(auth.signedIn).toBe(true);
    expect(auth.userId).toBe("teacher-7@skola"); // the token's sub
    expect(auth.token()).toBe(token);
    expect(stored()).toEqual({ token, userId: "teacher-7@skola", expiresAt: NOW_MS + 3_600_000, method: "development" });
    expect(localStorage.length).toBe(0);
    expectNowhereInAUrl(token);
  });

  it("finds the session again after a reload of the tab and drops it once expired", async () => {
    fakeApi.mintDevToken.mockResolvedValue({ access_token: jwt({ sub: "t" }), token_type: "bearer", expires_in: 60 });
    await useAuthStore().signInDevelopment("t");

    setActivePinia(createPinia());
    const reloaded = useAuthStore();
    expect(reloaded.signedIn).toBe(true);

    vi.setSystemTime(NOW_MS + 60_000);
    expect(reloaded.token()).toBeNull();
    expect(reloaded.signedIn).toBe(false);
    expect(reloaded.expired).toBe(true);
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it("starts the provider's sign-in with the configured client", async () => {
    const auth = useAuthStore();
    auth.config = { devSignIn: false, oidc: OIDC };

    await auth.startOidc();

    expect(fakeOidc.oidcSignIn).toHaveBeenCalledWith(OIDC, window.location.origin);
    expect(fakeOidc.signIn.start).toHaveBeenCalledTimes(1);
  });

  it("adopts the session of the provider's callback and keeps its token out of the URL", async () => {
    const session: Session = { token: "provider-access-token", userId: "teacher-1", expiresAt: NOW_MS + 600_000, method: "oidc" };
    fakeOidc.signIn.complete.mockResolvedValue(session);
    const auth = useAuthStore();
    auth.config = { devSignIn: false, oidc: OIDC };
    const callback = `${OIDC.redirect_uri}?code=the-code&state=the-state`;

    await auth.completeOidc(callback);

    expect(fakeOidc.signIn.complete).toHaveBeenCalledWith(callback);
    expect(auth.token()).toBe("provider-access-token");
    expect(auth.userId).toBe("teacher-1");
    expect(stored()).toEqual(session);
    expect(localStorage.length).toBe(0);
    expectNowhereInAUrl("provider-access-token");
  });

  it("keeps no session when the provider's callback fails", async () => {
    fakeOidc.signIn.complete.mockRejectedValue(new Error("no access token in the provider's answer"));
    const auth = useAuthStore();
    auth.config = { devSignIn: false, oidc: OIDC };

    await expect(auth.completeOidc(`${OIDC.redirect_uri}?error=access_denied`)).rejects.toThrow("no access token");
    expect(auth.signedIn).toBe(false);
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it("refuses the provider's sign-in when none is configured", async () => {
    await expect(useAuthStore().startOidc()).rejects.toThrow("OIDC is not configured");
    expect(fakeOidc.oidcSignIn).not.toHaveBeenCalled();
  });

  it("forgets the token on sign-out", async () => {
    fakeApi.mintDevToken.mockResolvedValue({ access_token: jwt({ sub: "t" }), token_type: "bearer", expires_in: 60 });
    const auth = useAuthStore();
    await auth.signInDevelopment("t");

    auth.signOut();

    expect(auth.token()).toBeNull();
    expect(auth.signedIn).toBe(false);
    expect(auth.expired).toBe(false);
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it("drops the provider's stored user and sign-in state on sign-out", () => {
    sessionStorage.setItem("oidc.user:https://idp.skola.se:huleedu-web", '{"access_token":"secret"}');
    sessionStorage.setItem("oidc.3f2a", "{}");
    sessionStorage.setItem("huleedu.locale", "sv");

    useAuthStore().signOut();

    expect(Object.keys(sessionStorage).filter((key) => key.startsWith("oidc."))).toEqual([]);
    expect(sessionStorage.getItem("huleedu.locale")).toBe("sv");
  });
});
