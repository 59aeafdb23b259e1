// Live notifications: the list a teacher sees, per-batch progress from them, and a counter
// that views watch to refetch over REST after a reconnect or a gap.
import { defineStore } from "pinia";
import { ref } from "vue";

import type { LiveStatus, Notification } from "@/realtime/liveSocket";

export const MAX_NOTIFICATIONS = 200;
export const NOTIFICATIONS_KEY = "huleedu.notifications";

// Kept for the tab's life, so a reload keeps the list and the socket resumes after its newest.
function restore(storage: Storage): Notification[] {
  try {
    const saved = JSON.parse(storage.getItem(NOTIFICATIONS_KEY) ?? "[]") as unknown;
    return Array.isArray(saved) ? (saved as Notification[]).slice(0, MAX_NOTIFICATIONS) : [];
  } catch {
    return [];
  }
}

export interface LiveProgress {
  processed: number;
  total: number;
}

export const useLiveStore = defineStore("live", () => {
  const storage = sessionStorage;
  const notifications = ref<Notification[]>(restore(storage));
  const persist = () => storage.setItem(NOTIFICATIONS_KEY, JSON.stringify(notifications.value));
  const status = ref<LiveStatus>("closed");
  const resyncs = ref(0);
  const lastResync = ref<"reconnected" | "gap" | null>(null);
  const progress = ref<Record<string, LiveProgress>>({});
  // Bumped per batch on each of its notifications, so its open view can refetch.
  const batchSignals = ref<Record<string, number>>({});

  function receive(notification: Notification) {
    notifications.value = [notification, ...notifications.value].slice(0, MAX_NOTIFICATIONS);
    persist();
    const batchId = notification.batch_id;
    if (!batchId) return;
    batchSignals.value = { ...batchSignals.value, [batchId]: (batchSignals.value[batchId] ?? 0) + 1 };
    const payload = notification.payload ?? {};
    if (notification.notification_type === "essay_results_available") {
      const processed = Number(payload.processed_count);
      const total = Number(payload.expected_essay_count ?? payload.total_essay_count);
      if (Number.isFinite(processed) && Number.isFinite(total)) {
        const before = progress.value[batchId];
        // Replays may arrive out of order with live ones; progress never goes back.
        if (!before || processed >= before.processed) {
          progress.value = { ...progress.value, [batchId]: { processed, total } };
        }
      }
    }
  }

  function resync(reason: "reconnected" | "gap") {
    resyncs.value += 1;
    lastResync.value = reason;
  }

  function forBatch(batchId: string): Notification[] {
    return notifications.value.filter((n) => n.batch_id === batchId);
  }

  function clear() {
    notifications.value = [];
    persist();
  }

  function reset() {
    notifications.value = [];
    storage.removeItem(NOTIFICATIONS_KEY);
    progress.value = {};
    batchSignals.value = {};
    status.value = "closed";
  }

  return { notifications, status, resyncs, lastResync, progress, batchSignals, receive, resync, forBatch, clear, reset };
});
