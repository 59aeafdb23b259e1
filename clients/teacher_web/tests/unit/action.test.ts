import { describe, expect, it } from "vitest";

import { useAction } from "@/composables/action";

describe("useAction", () => {
  it("is busy while the task runs and clears the earlier failure", async () => {
    const { busy, error, run } = useAction();
    error.value = new Error("earlier");
    let seenBusy = false;
    const ok = await run(async () => {
      seenBusy = busy.value;
      expect(error.value).toBeNull();
    });
    expect(ok).toBe(true);
    expect(seenBusy).toBe(true);
    expect(busy.value).toBe(false);
  });

  it("keeps the failure in error instead of throwing", async () => {
    const { busy, error, run } = useAction();
    const failure = new Error("refused");
    const ok = await run(() => Promise.reject(failure));
    expect(ok).toBe(false);
    expect(error.value).toBe(failure);
    expect(busy.value).toBe(false);
  });
});
