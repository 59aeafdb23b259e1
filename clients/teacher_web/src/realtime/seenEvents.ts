// The event ids a client has shown, bounded: a notification is shown once even when the
// gateway replays it after a reconnect. 1000 ids outlast any replay the gateway sends
// (its log holds each teacher's newest 500).
export class SeenEvents {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 1000) {}

  /** True the first time an id is offered, false for every repeat. */
  admit(eventId: string): boolean {
    if (this.ids.has(eventId)) return false;
    this.ids.add(eventId);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}
