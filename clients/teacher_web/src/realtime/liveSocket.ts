// The gateway's WebSocket as the app needs it: ticket auth, reconnect with backoff, resume
// from the last event id, each notification once, and a signal to refresh over REST whenever
// notifications may have been missed (a reconnect, a gap).
import { SeenEvents } from "./seenEvents";

export interface Notification {
  type: "notification";
  event_id: string;
  notification_type: string;
  category?: string;
  priority?: string;
  batch_id?: string | null;
  class_id?: string | null;
  message?: string;
  /** The values the text of `notification_type` shows (`variant` picks one of its texts). */
  params?: Record<string, string | number>;
  payload?: Record<string, unknown>;
  action_required?: boolean;
  timestamp?: string;
  stream_id?: string;
}

export type LiveStatus = "connecting" | "open" | "reconnecting" | "closed" | "refused";

export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LiveSocketOptions {
  getTicket: () => Promise<string>;
  openSocket: (url: string) => SocketLike;
  socketUrl: (ticket: string, lastEventId: string | null) => string;
  onNotification: (notification: Notification) => void;
  /** Views should refresh over REST: `reconnected` after a new socket, or a gap. */
  onResync: (reason: "reconnected" | "gap") => void;
  onStatus?: (status: LiveStatus) => void;
  /** The ticket route refused us (401): signing in again is the only fix. */
  isFatalTicketError?: (error: unknown) => boolean;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // Full jitter keeps a classroom of browsers from reconnecting in step after a restart.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class LiveSocket {
  private socket: SocketLike | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private readySeen = false;
  private stopped = true;
  private status: LiveStatus = "closed";
  private readonly seen = new SeenEvents();
  lastEventId: string | null = null;

  constructor(private readonly options: LiveSocketOptions) {}

  /** Continue from notifications shown before (a reload): resume after the newest, skip them. */
  seed(shownNewestFirst: readonly { event_id: string }[]): void {
    for (const shown of [...shownNewestFirst].reverse()) this.seen.admit(shown.event_id);
    this.lastEventId = shownNewestFirst[0]?.event_id ?? this.lastEventId;
  }

  get currentStatus(): LiveStatus {
    return this.status;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "client leaving");
    // Stopping is signing out: the next teacher in this tab starts without a position.
    this.lastEventId = null;
    this.readySeen = false;
    this.attempt = 0;
    this.setStatus("closed");
  }

  /** Ask an open socket to replay what followed our position (a page restored from cache). */
  resume(): void {
    if (this.socket && this.lastEventId) {
      this.socket.send(JSON.stringify({ type: "resume", last_event_id: this.lastEventId }));
    }
  }

  private setStatus(status: LiveStatus): void {
    this.status = status;
    this.options.onStatus?.(status);
  }

  private async connect(): Promise<void> {
    this.setStatus(this.readySeen ? "reconnecting" : "connecting");
    let ticket: string;
    try {
      ticket = await this.options.getTicket();
    } catch (error) {
      if (this.options.isFatalTicketError?.(error)) {
        this.stopped = true;
        this.setStatus("refused");
        return;
      }
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) return;
    const socket = this.options.openSocket(this.options.socketUrl(ticket, this.lastEventId));
    this.socket = socket;
    socket.onmessage = (event) => this.handle(socket, event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    };
    socket.onerror = () => undefined; // onclose follows and decides
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.attempt += 1;
    this.setStatus("reconnecting");
    const delay = backoffDelayMs(
      this.attempt,
      this.options.baseDelayMs ?? 500,
      this.options.maxDelayMs ?? 15000,
      this.options.random ?? Math.random,
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private handle(socket: SocketLike, data: unknown): void {
    if (typeof data !== "string") return;
    let message: { type?: unknown; event_id?: unknown; reason?: unknown };
    try {
      message = JSON.parse(data) as typeof message;
    } catch {
      return;
    }
    switch (message.type) {
      case "ping":
        socket.send(JSON.stringify({ type: "pong" }));
        break;
      case "ready": {
        const again = this.readySeen;
        this.readySeen = true;
        this.attempt = 0;
        this.setStatus("open");
        if (again) this.options.onResync("reconnected");
        break;
      }
      case "gap":
        this.options.onResync("gap");
        break;
      case "notification":
        this.deliver(message as Notification);
        break;
      default:
        break;
    }
  }

  private deliver(notification: Notification): void {
    if (typeof notification.event_id !== "string" || !notification.event_id) return;
    this.lastEventId = notification.event_id;
    if (this.seen.admit(notification.event_id)) this.options.onNotification(notification);
  }
}
