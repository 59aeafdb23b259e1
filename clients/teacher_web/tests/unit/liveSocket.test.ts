import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { backoffDelayMs, LiveSocket, type Notification, type SocketLike } from "@/realtime/liveSocket";

class FakeSocket implements SocketLike {
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  sent: unknown[] = [];
  closed = false;

  constructor(readonly url: string) {}

  send(data: string) {
    this.sent.push(JSON.parse(data));
  }

  close() {
    this.closed = true;
  }

  receive(message: object) {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(message) }));
  }

  drop(code = 1006) {
    this.onclose?.(new CloseEvent("close", { code }));
  }
}

const note = (eventId: string, batchId = "b1"): Notification => ({
  type: "notification",
  event_id: eventId,
  notification_type: "essay_results_available",
  batch_id: batchId,
});

function harness(getTicket = vi.fn(async () => "t1")) {
  const sockets: FakeSocket[] = [];
  const received: string[] = [];
  const resyncs: string[] = [];
  const statuses: string[] = [];
  const live = new LiveSocket({
    getTicket,
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    socketUrl: (ticket, last) => `ws://gw/ws?ticket=${ticket}${last ? `&last_event_id=${last}` : ""}`,
    onNotification: (n) => received.push(n.event_id),
    onResync: (reason) => resyncs.push(reason),
    onStatus: (status) => statuses.push(status),
    isFatalTicketError: (error) => error === "401",
    random: () => 0.5,
  });
  return { live, sockets, received, resyncs, statuses, getTicket };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe("LiveSocket", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("connects with a ticket, answers pings and reports notifications", async () => {
    const h = harness();
    h.live.start();
    await flush();
    expect(h.sockets[0]?.url).toBe("ws://gw/ws?ticket=t1");
    h.sockets[0]?.receive({ type: "ready", user_id: "anna" });
    h.sockets[0]?.receive({ type: "ping", ts: 1 });
    h.sockets[0]?.receive(note("e1"));
    expect(h.sockets[0]?.sent).toEqual([{ type: "pong" }]);
    expect(h.received).toEqual(["e1"]);
    expect(h.statuses.at(-1)).toBe("open");
    expect(h.resyncs).toEqual([]); // the first ready is no reconnect
  });

  it("reconnects with backoff, resumes after the last event id and asks for a REST refresh", async () => {
    const h = harness();
    h.live.start();
    await flush();
    const first = h.sockets[0] as FakeSocket;
    first.receive({ type: "ready" });
    first.receive(note("e1"));
    first.receive(note("e2"));
    first.drop();
    expect(h.statuses.at(-1)).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(backoffDelayMs(1, 500, 15000, () => 0.5) - 1);
    expect(h.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.sockets).toHaveLength(2);
    expect(h.sockets[1]?.url).toBe("ws://gw/ws?ticket=t1&last_event_id=e2");
    expect(h.getTicket).toHaveBeenCalledTimes(2); // a ticket is good for one socket only
    h.sockets[1]?.receive({ type: "ready" });
    expect(h.resyncs).toEqual(["reconnected"]);
    expect(h.statuses.at(-1)).toBe("open");
  });

  it("drops notifications it has already shown, live or replayed", async () => {
    const h = harness();
    h.live.start();
    await flush();
    const first = h.sockets[0] as FakeSocket;
    first.receive(note("e1"));
    first.receive(note("e1"));
    first.receive(note("e2"));
    first.drop();
    await vi.advanceTimersByTimeAsync(20000);
    const second = h.sockets[1] as FakeSocket;
    second.receive(note("e2")); // a replay racing a live copy
    second.receive(note("e3"));
    second.receive({ type: "ready" });
    expect(h.received).toEqual(["e1", "e2", "e3"]);
  });

  it("asks for a refresh on a gap and on the gateway's own second ready", async () => {
    const h = harness();
    h.live.start();
    await flush();
    const socket = h.sockets[0] as FakeSocket;
    socket.receive({ type: "ready" });
    socket.receive({ type: "gap", reason: "unknown_position" });
    socket.receive({ type: "ready" });
    expect(h.resyncs).toEqual(["gap", "reconnected"]);
  });

  it("grows the delay between failed attempts up to the cap, and resets it once ready", async () => {
    expect([1, 2, 3, 4, 10].map((a) => backoffDelayMs(a, 500, 15000, () => 1))).toEqual([500, 1000, 2000, 4000, 15000]);
    expect(backoffDelayMs(3, 500, 15000, () => 0)).toBe(1000);
    const getTicket = vi.fn(async (): Promise<string> => {
      throw new Error("503");
    });
    const h = harness(getTicket);
    h.live.start();
    await flush();
    await vi.advanceTimersByTimeAsync(375 + 750 + 1500);
    expect(getTicket).toHaveBeenCalledTimes(4);
    expect(h.sockets).toHaveLength(0);
  });

  it("stops for good when the ticket route refuses the teacher (401)", async () => {
    const getTicket = vi.fn(async (): Promise<string> => {
      throw "401";
    });
    const h = harness(getTicket);
    h.live.start();
    await flush();
    await vi.advanceTimersByTimeAsync(60000);
    expect(getTicket).toHaveBeenCalledTimes(1);
    expect(h.statuses.at(-1)).toBe("refused");
  });

  it("continues after notifications shown before a reload, and forgets them on stop", async () => {
    const h = harness();
    h.live.seed([note("e9"), note("e8")]);
    h.live.start();
    await flush();
    const socket = h.sockets[0] as FakeSocket;
    expect(socket.url).toContain("last_event_id=e9");
    socket.receive(note("e8"));
    socket.receive(note("e10"));
    expect(h.received).toEqual(["e10"]);
    h.live.stop();
    expect(socket.closed).toBe(true);
    expect(h.live.lastEventId).toBeNull();
    await vi.advanceTimersByTimeAsync(60000);
    expect(h.sockets).toHaveLength(1);
  });

  it("sends resume with the last event id on an open socket", async () => {
    const h = harness();
    h.live.start();
    await flush();
    const socket = h.sockets[0] as FakeSocket;
    socket.receive(note("e5"));
    h.live.resume();
    expect(socket.sent).toEqual([{ type: "resume", last_event_id: "e5" }]);
  });
});
