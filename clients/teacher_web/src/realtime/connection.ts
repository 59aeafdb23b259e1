// The app's socket to /ws on its own origin, fed into the live store.
import { ApiError } from "@/api/errors";
import { api } from "@/services";
import { useLiveStore } from "@/stores/live";

import { LiveSocket } from "./liveSocket";

export function socketUrl(location: Pick<Location, "protocol" | "host">, ticket: string, lastEventId: string | null): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams({ ticket });
  if (lastEventId) query.set("last_event_id", lastEventId);
  return `${scheme}://${location.host}/ws?${query.toString()}`;
}

export function createLiveConnection(): LiveSocket {
  const live = useLiveStore();
  const socket = new LiveSocket({
    getTicket: async () => (await api.wsTicket()).ticket,
    openSocket: (url) => new WebSocket(url),
    socketUrl: (ticket, lastEventId) => socketUrl(window.location, ticket, lastEventId),
    onNotification: (notification) => live.receive(notification),
    onResync: (reason) => live.resync(reason),
    onStatus: (status) => {
      live.status = status;
    },
    isFatalTicketError: (error) => error instanceof ApiError && error.status === 401,
  });
  socket.seed(live.notifications);
  // A page restored from the back/forward cache kept its socket object but not its messages.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) socket.resume();
  });
  return socket;
}
