import { createPinia } from "pinia";
import { createApp } from "vue";

import App from "@/App.vue";
import { loadConfig } from "@/config";
import { createAppI18n } from "@/i18n";
import { createAppRouter } from "@/router";
import { connectAuth } from "@/services";
import { useAuthStore } from "@/stores/auth";
import "@/styles.css";

async function start() {
  const app = createApp(App);
  const pinia = createPinia();
  app.use(pinia);
  const auth = useAuthStore();
  auth.config = await loadConfig();
  const i18n = createAppI18n();
  document.documentElement.lang = i18n.global.locale.value;
  const router = createAppRouter();
  if (auth.config.oidc) {
    // The provider sends the teacher back to the configured redirect URI, whatever its path.
    const callbackPath = new URL(auth.config.oidc.redirect_uri).pathname;
    if (callbackPath !== "/auth/callback") {
      router.addRoute({ path: callbackPath, component: () => import("@/views/OidcCallbackView.vue"), meta: { public: true } });
    }
  }
  connectAuth(auth.token, () => {
    auth.expireSession();
    void router.push({ name: "sign-in" });
  });
  app.use(i18n);
  app.use(router);
  app.mount("#app");
}

void start();
