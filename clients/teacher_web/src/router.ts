import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";

import { useAuthStore } from "@/stores/auth";

const routes: RouteRecordRaw[] = [
  { path: "/", redirect: "/classes" },
  { path: "/sign-in", name: "sign-in", component: () => import("@/views/SignInView.vue"), meta: { public: true } },
  { path: "/auth/callback", name: "oidc-callback", component: () => import("@/views/OidcCallbackView.vue"), meta: { public: true } },
  { path: "/classes", name: "classes", component: () => import("@/views/ClassesView.vue") },
  { path: "/classes/:classId", name: "class", component: () => import("@/views/ClassDetailView.vue"), props: true },
  { path: "/batches", name: "batches", component: () => import("@/views/BatchesView.vue") },
  { path: "/batches/:batchId", name: "batch", component: () => import("@/views/BatchDetailView.vue"), props: true },
  {
    path: "/batches/:batchId/essays/:essayId",
    name: "essay",
    component: () => import("@/views/EssayView.vue"),
    props: true,
  },
  { path: "/notifications", name: "notifications", component: () => import("@/views/NotificationsView.vue") },
  { path: "/:unknown(.*)*", name: "not-found", component: () => import("@/views/NotFoundView.vue"), meta: { public: true } },
];

export function createAppRouter() {
  const router = createRouter({ history: createWebHistory(), routes });
  router.beforeEach((to) => {
    const auth = useAuthStore();
    if (!to.meta.public && !auth.signedIn) {
      return { name: "sign-in", query: to.fullPath !== "/" && to.fullPath !== "/classes" ? { next: to.fullPath } : {} };
    }
    return true;
  });
  return router;
}
