import { fileURLToPath, URL } from "node:url";

import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vitest/config";

// `npm run dev` talks to the gateway of `make up` through this proxy, so the app is a
// same-origin client in development exactly as it is when the gateway serves dist/.
const gateway = process.env.HULEEDU_GATEWAY_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    // One inline script would need 'unsafe-inline' under the gateway's CSP.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      "/v1": gateway,
      "/config.json": gateway,
      "/ws": { target: gateway.replace(/^http/, "ws"), ws: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["tests/unit/**/*.test.ts"],
  },
});
