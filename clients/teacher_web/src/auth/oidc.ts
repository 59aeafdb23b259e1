// OpenID Connect authorisation code flow with PKCE (oidc-client-ts does the protocol).
// The gateway accepts the provider's access token when its JWKS, issuer and audience are
// configured there; this side only needs the provider and the client id.
import { UserManager, WebStorageStateStore, type UserManagerSettings } from "oidc-client-ts";

import type { OidcConfig } from "@/config";

import type { Session } from "./session";

export function oidcSettings(config: OidcConfig, origin: string, storage: Storage = sessionStorage): UserManagerSettings {
  const store = new WebStorageStateStore({ store: storage });
  return {
    authority: config.authority,
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    post_logout_redirect_uri: `${origin}/sign-in`,
    response_type: "code", // the code flow; oidc-client-ts always adds PKCE (S256) to it
    response_mode: "query",
    scope: config.scope,
    userStore: store,
    stateStore: store,
    automaticSilentRenew: false,
    loadUserInfo: false,
  };
}

export interface OidcSignIn {
  start: () => Promise<void>;
  complete: (url: string) => Promise<Session>;
}

export function oidcSignIn(
  config: OidcConfig,
  origin: string,
  makeManager: (settings: UserManagerSettings) => Pick<UserManager, "signinRedirect" | "signinCallback"> = (s) =>
    new UserManager(s),
): OidcSignIn {
  const manager = makeManager(oidcSettings(config, origin));
  return {
    start: () => manager.signinRedirect(),
    async complete(url: string) {
      const user = await manager.signinCallback(url);
      if (!user?.access_token) throw new Error("no access token in the provider's answer");
      return {
        token: user.access_token,
        userId: user.profile.sub,
        expiresAt: (user.expires_at ?? Math.floor(Date.now() / 1000) + 300) * 1000,
        method: "oidc",
      };
    },
  };
}
