import type { Notification } from "@/realtime/liveSocket";

/**
 * The message key of a notification's text: `notifications.messages.<code>`, or
 * `.<code>.<variant>` for a code with several texts (the catalogue in common_core.notifications,
 * copied in sv.ts and en.ts; documentation/notifications.json is what the test compares).
 */
export function notificationKey(notification: Pick<Notification, "notification_type" | "params">): string {
  const variant = notification.params?.variant;
  const base = `notifications.messages.${notification.notification_type}`;
  return typeof variant === "string" && variant ? `${base}.${variant}` : base;
}
