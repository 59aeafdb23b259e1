import { defineStore } from "pinia";
import { computed, ref } from "vue";

import { oidcSignIn } from "@/auth/oidc";
import { clearSession, readSession, subjectOf, writeSession, type Session } from "@/auth/session";
import { FALLBACK_CONFIG, type AppConfig } from "@/config";
import { api } from "@/services";

export const useAuthStore = defineStore("auth", () => {
  const session = ref<Session | null>(readSession());
  const config = ref<AppConfig>(FALLBACK_CONFIG);
  const expired = ref(false);

  const signedIn = computed(() => session.value !== null);
  const userId = computed(() => session.value?.userId ?? "");
  const token = () => {
    if (session.value && session.value.expiresAt <= Date.now()) expireSession();
    return session.value?.token ?? null;
  };

  function adopt(next: Session) {
    session.value = next;
    expired.value = false;
    writeSession(next);
  }

  async function signInDevelopment(user: string) {
    const minted = await api.mintDevToken(user.trim());
    adopt({
      token: minted.access_token,
      userId: subjectOf(minted.access_token) ?? user.trim(),
      expiresAt: Date.now() + minted.expires_in * 1000,
      method: "development",
    });
  }

  function oidc() {
    if (!config.value.oidc) throw new Error("OIDC is not configured");
    return oidcSignIn(config.value.oidc, window.location.origin);
  }

  async function startOidc() {
    await oidc().start();
  }

  async function completeOidc(url: string) {
    adopt(await oidc().complete(url));
  }

  function signOut() {
    session.value = null;
    clearSession();
  }

  function expireSession() {
    signOut();
    expired.value = true;
  }

  return {
    session,
    config,
    expired,
    signedIn,
    userId,
    token,
    signInDevelopment,
    startOidc,
    completeOidc,
    signOut,
    expireSession,
  };
});
