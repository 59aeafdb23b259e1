// Runtime configuration: the gateway answers GET /config.json from its settings
// (API_GATEWAY_SERVICE_WEB_OIDC_*; dev_sign_in where development tokens exist), so one build
// serves every school and the bundle holds no provider.
export interface OidcConfig {
  authority: string;
  client_id: string;
  redirect_uri: string;
  scope: string;
}

export interface AppConfig {
  devSignIn: boolean;
  oidc: OidcConfig | null;
}

export const FALLBACK_CONFIG: AppConfig = { devSignIn: false, oidc: null };

const isText = (value: unknown): value is string => typeof value === "string" && value.length > 0;

export function parseConfig(raw: unknown): AppConfig {
  if (typeof raw !== "object" || raw === null) return FALLBACK_CONFIG;
  const value = raw as { dev_sign_in?: unknown; oidc?: unknown };
  const oidc = (value.oidc ?? null) as Partial<OidcConfig> | null;
  const valid =
    oidc && isText(oidc.authority) && isText(oidc.client_id) && isText(oidc.redirect_uri)
      ? { authority: oidc.authority, client_id: oidc.client_id, redirect_uri: oidc.redirect_uri, scope: isText(oidc.scope) ? oidc.scope : "openid" }
      : null;
  return { devSignIn: value.dev_sign_in === true, oidc: valid };
}

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  try {
    const response = await fetchImpl("/config.json", { cache: "no-store", headers: { Accept: "application/json" } });
    return response.ok ? parseConfig(await response.json()) : FALLBACK_CONFIG;
  } catch {
    return FALLBACK_CONFIG;
  }
}
