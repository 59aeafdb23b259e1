import { UserManager, type INavigator, type User, type UserManagerSettings } from "oidc-client-ts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { oidcSettings, oidcSignIn } from "@/auth/oidc";
import type { OidcConfig } from "@/config";

const ORIGIN = "https://huleedu.skola.example";
const CONFIG: OidcConfig = {
  authority: "https://login.skola.example/realms/huleedu",
  client_id: "huleedu-teacher-web",
  redirect_uri: `${ORIGIN}/auth/callback`,
  scope: "openid profile",
};
// What discovery would answer; given in the settings, so oidc-client-ts fetches nothing.
const METADATA = {
  issuer: CONFIG.authority,
  authorization_endpoint: `${CONFIG.authority}/protocol/openid-connect/auth`,
  token_endpoint: `${CONFIG.authority}/protocol/openid-connect/token`,
};
// 2030-01-01T00:00:00Z: a fixed clock where the code reads one.
const NOW_MS = 1_893_456_000_000;

type FakeManager = Pick<UserManager, "signinRedirect" | "signinCallback">;

function fakeManager(user: Partial<User> | null | undefined) {
  const manager = {
    signinRedirect: vi.fn(async () => undefined),
    signinCallback: vi.fn(async () => user as User | undefined),
  };
  const make = vi.fn((_settings: UserManagerSettings): FakeManager => manager);
  return { manager, make };
}

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("oidcSettings", () => {
  it("asks for the authorisation code flow of the configured client", () => {
    const settings = oidcSettings(CONFIG, ORIGIN);

    expect(settings).toMatchObject({
      authority: CONFIG.authority,
      client_id: CONFIG.client_id,
      redirect_uri: CONFIG.redirect_uri,
      scope: CONFIG.scope,
      response_type: "code",
      response_mode: "query",
      post_logout_redirect_uri: `${ORIGIN}/sign-in`,
      automaticSilentRenew: false,
    });
    expect(settings.disablePKCE).toBeUndefined();
  });

  it("keeps the user and the sign-in state in sessionStorage, never in localStorage", async () => {
    const settings = oidcSettings(CONFIG, ORIGIN);

    await settings.userStore?.set("user-key", "user-value");
    await settings.stateStore?.set("state-key", "state-value");

    expect(sessionStorage.getItem("oidc.user-key")).toBe("user-value");
    expect(sessionStorage.getItem("oidc.state-key")).toBe("state-value");
    expect(localStorage.length).toBe(0);
  });

  it("uses the storage it is given", async () => {
    const settings = oidcSettings(CONFIG, ORIGIN, localStorage);

    await settings.userStore?.set("k", "v");

    expect(localStorage.getItem("oidc.k")).toBe("v");
    expect(sessionStorage.length).toBe(0);
  });
});

describe("oidcSignIn", () => {
  it("builds its manager from oidcSettings and starts with a redirect to the provider", async () => {
    const { manager, make } = fakeManager(null);

    await oidcSignIn(CONFIG, ORIGIN, make).start();

    expect(make).toHaveBeenCalledTimes(1);
    expect(make.mock.calls[0]?.[0]).toMatchObject({ client_id: CONFIG.client_id, response_type: "code" });
    expect(manager.signinRedirect).toHaveBeenCalledTimes(1);
  });

  it("turns the callback's user into the app's session", async () => {
    const { manager, make } = fakeManager({
      access_token: "provider-access-token",
      expires_at: 1_893_456_600,
      profile: { sub: "teacher-1", iss: CONFIG.authority, aud: CONFIG.client_id, exp: 0, iat: 0 },
    });
    const url = `${CONFIG.redirect_uri}?code=abc&state=xyz`;

    const session = await oidcSignIn(CONFIG, ORIGIN, make).complete(url);

    expect(manager.signinCallback).toHaveBeenCalledWith(url);
    expect(session).toEqual({
      token: "provider-access-token",
      userId: "teacher-1",
      expiresAt: 1_893_456_600_000,
      method: "oidc",
    });
  });

  it("gives a token without an expiry five minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: NOW_MS });
    const { make } = fakeManager({ access_token: "t", profile: { sub: "teacher-1" } as User["profile"] });

    const session = await oidcSignIn(CONFIG, ORIGIN, make).complete(`${CONFIG.redirect_uri}?code=abc`);

    expect(session.expiresAt).toBe(NOW_MS + 300_000);
  });

  it.each([
    ["no user", null],
    ["no access token", { access_token: "", profile: { sub: "teacher-1" } }],
  ])("rejects a callback with %s", async (_case, user) => {
    const { make } = fakeManager(user as Partial<User> | null);

    await expect(oidcSignIn(CONFIG, ORIGIN, make).complete(`${CONFIG.redirect_uri}?code=abc`)).rejects.toThrow(
      "no access token",
    );
  });
});

// A real UserManager from oidcSettings: the navigator records where the browser would be sent
// and the provider's token endpoint is a stub, so the whole code flow runs without a network.
describe("the code flow with PKCE, end to end", () => {
  const base64Url = (bytes: Uint8Array) =>
    btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const unsignedJwt = (claims: object) =>
    [{ alg: "none", typ: "JWT" }, claims].map((part) => base64Url(new TextEncoder().encode(JSON.stringify(part)))).join(".") +
    ".signature";

  function harness() {
    const redirects: string[] = [];
    const navigator: INavigator = {
      prepare: async () => ({
        navigate: async ({ url }) => {
          redirects.push(url);
          return { url };
        },
        close: () => undefined,
      }),
      callback: async () => undefined,
    };
    const signIn = oidcSignIn(CONFIG, ORIGIN, (settings) => new UserManager({ ...settings, metadata: METADATA }, navigator));
    const tokenRequests: { url: string; body: URLSearchParams }[] = [];
    const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      tokenRequests.push({ url: String(input), body: new URLSearchParams(String(init?.body ?? "")) });
      const body = {
        access_token: "provider-access-token",
        token_type: "Bearer",
        expires_in: 600,
        id_token: unsignedJwt({ sub: "teacher-1", iss: CONFIG.authority, aud: CONFIG.client_id }),
      };
      return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    vi.stubGlobal("fetch", fetchStub);
    return { signIn, redirects, tokenRequests, fetchStub };
  }

  it("sends the teacher to the provider with an S256 code challenge and no token", async () => {
    const { signIn, redirects, fetchStub } = harness();

    await signIn.start();

    expect(redirects).toHaveLength(1);
    const url = new URL(redirects[0] ?? "");
    expect(`${url.origin}${url.pathname}`).toBe(METADATA.authorization_endpoint);
    const params = url.searchParams;
    expect(params.get("response_type")).toBe("code");
    expect(params.get("client_id")).toBe(CONFIG.client_id);
    expect(params.get("redirect_uri")).toBe(CONFIG.redirect_uri);
    expect(params.get("scope")).toBe(CONFIG.scope);
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get("state")).toBeTruthy();
    for (const secret of ["code_verifier", "access_token", "id_token", "token", "client_secret"]) {
      expect(params.has(secret)).toBe(false);
    }
    expect(fetchStub).not.toHaveBeenCalled(); // the metadata came from the settings

    // The verifier stays behind in this tab's sessionStorage, and its hash is the challenge.
    const stored = JSON.parse(sessionStorage.getItem(`oidc.${params.get("state")}`) ?? "{}") as { code_verifier?: string };
    expect(stored.code_verifier).toBeTruthy();
    expect(redirects[0]).not.toContain(stored.code_verifier);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(stored.code_verifier));
    expect(base64Url(new Uint8Array(digest))).toBe(params.get("code_challenge"));
    expect(localStorage.length).toBe(0);
  });

  it("redeems the code with its verifier and keeps the token out of every URL", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: NOW_MS });
    const { signIn, redirects, tokenRequests } = harness();
    await signIn.start();
    const state = new URL(redirects[0] ?? "").searchParams.get("state") ?? "";
    const stored = JSON.parse(sessionStorage.getItem(`oidc.${state}`) ?? "{}") as { code_verifier?: string };

    const session = await signIn.complete(`${CONFIG.redirect_uri}?code=the-code&state=${state}`);

    expect(session).toEqual({
      token: "provider-access-token",
      userId: "teacher-1",
      expiresAt: NOW_MS + 600_000,
      method: "oidc",
    });
    expect(tokenRequests).toHaveLength(1);
    const [request] = tokenRequests;
    expect(request?.url).toBe(METADATA.token_endpoint);
    expect(Object.fromEntries(request?.body ?? [])).toMatchObject({
      grant_type: "authorization_code",
      code: "the-code",
      code_verifier: stored.code_verifier,
      redirect_uri: CONFIG.redirect_uri,
      client_id: CONFIG.client_id,
    });
    // The state is used up; the provider's user is kept in this tab only.
    expect(sessionStorage.getItem(`oidc.${state}`)).toBeNull();
    expect(sessionStorage.getItem(`oidc.user:${CONFIG.authority}:${CONFIG.client_id}`)).toContain("provider-access-token");
    expect(localStorage.length).toBe(0);
    for (const url of [...redirects, request?.url ?? "", window.location.href]) {
      expect(url).not.toContain("provider-access-token");
    }
  });

  it("refuses a callback whose state this tab never started", async () => {
    const { signIn, tokenRequests } = harness();

    await expect(signIn.complete(`${CONFIG.redirect_uri}?code=the-code&state=forged`)).rejects.toThrow();
    expect(tokenRequests).toHaveLength(0);
  });
});
