import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/errors";
import type { GroupOutcome } from "@/api/upload";
import type { Notification } from "@/realtime/liveSocket";

const fakeApi = vi.hoisted(() => ({
  listClasses: vi.fn(),
  createClass: vi.fn(),
  updateClass: vi.fn(),
  deleteClass: vi.fn(),
  getClass: vi.fn(),
  importRoster: vi.fn(),
  updateStudent: vi.fn(),
  eraseStudent: vi.fn(),
  requestPipeline: vi.fn(),
  createBatch: vi.fn(),
  listBatches: vi.fn(),
}));
vi.mock("@/services", () => ({ api: fakeApi, http: {}, connectAuth: vi.fn() }));

const { useLiveStore, NOTIFICATIONS_KEY } = await import("@/stores/live");
const { useUploadsStore } = await import("@/stores/uploads");
const { useClassesStore } = await import("@/stores/classes");
const { useBatchesStore } = await import("@/stores/batches");

const progressNote = (eventId: string, processed: number): Notification => ({
  type: "notification",
  event_id: eventId,
  notification_type: "essay_results_available",
  batch_id: "b1",
  payload: { processed_count: processed, expected_essay_count: 3 },
});

const student = (id: string, first: string) => ({
  student_id: id,
  first_name: first,
  last_name: "Berg",
  email: `${first}@skola.se`,
  class_ids: ["c1"],
  created_at: "",
  updated_at: "",
});

beforeEach(() => {
  sessionStorage.clear();
  setActivePinia(createPinia());
  vi.clearAllMocks();
});

describe("live store", () => {
  it("keeps notifications newest first, signals their batch and tracks progress forward only", () => {
    const live = useLiveStore();
    live.receive(progressNote("e1", 2));
    live.receive(progressNote("e0", 1)); // a replay of an older one arrives late
    expect(live.notifications.map((n) => n.event_id)).toEqual(["e0", "e1"]);
    expect(live.progress.b1).toEqual({ processed: 2, total: 3 });
    expect(live.batchSignals.b1).toBe(2);
    expect(live.forBatch("b1")).toHaveLength(2);
    expect(live.forBatch("other")).toHaveLength(0);
  });

  it("survives a reload of the tab and forgets everything on sign-out", () => {
    useLiveStore().receive(progressNote("e1", 1));
    setActivePinia(createPinia());
    const reloaded = useLiveStore();
    expect(reloaded.notifications.map((n) => n.event_id)).toEqual(["e1"]);
    reloaded.reset();
    expect(sessionStorage.getItem(NOTIFICATIONS_KEY)).toBeNull();
    expect(reloaded.notifications).toEqual([]);
  });

  it("counts resyncs so open views refetch", () => {
    const live = useLiveStore();
    live.resync("gap");
    live.resync("reconnected");
    expect(live.resyncs).toBe(2);
    expect(live.lastResync).toBe("reconnected");
  });
});

describe("uploads store", () => {
  const file = (name: string, size = 10) => new File(["x".repeat(size)], name);

  it("uploads in groups, reports per-file progress and each file's own result", async () => {
    const uploads = useUploadsStore();
    const calls: string[][] = [];
    uploads.useSender(async (_batch, files, onProgress) => {
      calls.push(files.map((f) => f.name));
      onProgress(files.map(() => 0.5));
      return {
        kind: "answered",
        files: files.map((f) => ({
          file_upload_id: `u-${f.name}`,
          filename: f.name,
          status: f.name === "tom.txt" ? "rejected" : "accepted",
          error_code: f.name === "tom.txt" ? "EMPTY_FILE" : null,
          message: f.name === "tom.txt" ? "The file is empty." : null,
        })),
      } satisfies GroupOutcome;
    });
    const done = vi.fn();
    uploads.onGroupDone(done);
    const names = Array.from({ length: 9 }, (_, i) => `e${i}.txt`).concat("tom.txt");
    uploads.add("b1", names.map((name) => ({ file: file(name), name: `9A/${name}` })));
    await vi.waitFor(() => expect(done).toHaveBeenCalledTimes(2));
    expect(calls.map((c) => c.length)).toEqual([8, 2]);
    const items = uploads.forBatch("b1");
    expect(items.filter((i) => i.state === "accepted")).toHaveLength(9);
    const rejected = items.find((i) => i.name === "9A/tom.txt");
    expect(rejected).toMatchObject({ state: "rejected", errorCode: "EMPTY_FILE", fraction: 1 });
  });

  it("marks every file of a refused request failed, with the reason", async () => {
    const uploads = useUploadsStore();
    const error = new ApiError({ code: "BATCH_NOT_ACCEPTING_FILES", message: "closed", status: 409 });
    uploads.useSender(async () => ({ kind: "failed", error }));
    uploads.add("b2", [{ file: file("a.txt"), name: "a.txt" }, { file: file("b.txt"), name: "b.txt" }]);
    await vi.waitFor(() => expect(uploads.forBatch("b2").every((i) => i.state === "failed")).toBe(true));
    expect(uploads.forBatch("b2")[0]?.errorCode).toBe("BATCH_NOT_ACCEPTING_FILES");
    expect(uploads.forBatch("other")).toEqual([]);
  });
});

describe("classes store", () => {
  it("creates, renames and deletes classes, keeping them in name order", async () => {
    const classes = useClassesStore();
    fakeApi.listClasses.mockResolvedValue({ items: [{ class_id: "c2", name: "9B", course_code: "ENG5", student_count: 0 }] });
    await classes.load();
    fakeApi.createClass.mockResolvedValue({ class_id: "c1", name: "9A", course_code: "ENG5", student_count: 0 });
    await classes.create(" 9A ", "ENG5");
    expect(fakeApi.createClass).toHaveBeenCalledWith({ name: "9A", course_code: "ENG5" });
    expect(classes.classes.map((c) => c.name)).toEqual(["9A", "9B"]);
    fakeApi.updateClass.mockResolvedValue({ class_id: "c1", name: "9C", course_code: "ENG5", student_count: 0 });
    await classes.rename("c1", "9C");
    expect(classes.classes.map((c) => c.name)).toEqual(["9B", "9C"]);
    fakeApi.deleteClass.mockResolvedValue(null);
    await classes.remove("c1");
    expect(classes.classes.map((c) => c.class_id)).toEqual(["c2"]);
  });

  it("updates and erases students in the open roster", async () => {
    const classes = useClassesStore();
    fakeApi.getClass.mockResolvedValue({ class_id: "c1", name: "9A", students: [student("s1", "Åsa"), student("s2", "Li")], student_count: 2 });
    await classes.loadDetail("c1");
    fakeApi.updateStudent.mockResolvedValue(student("s1", "Åse"));
    await classes.updateStudent("c1", "s1", { first_name: "Åse" });
    expect(classes.details.c1?.students?.[0]?.first_name).toBe("Åse");
    fakeApi.eraseStudent.mockResolvedValue(null);
    await classes.eraseStudent("c1", "s2", "keep");
    expect(fakeApi.eraseStudent).toHaveBeenCalledWith("s2", "keep");
    expect(classes.details.c1?.students?.map((s) => s.student_id)).toEqual(["s1"]);
    expect(classes.details.c1?.student_count).toBe(1);
  });
});

describe("batches store", () => {
  it("retries a pipeline request's 503 under the same Idempotency-Key", async () => {
    vi.useFakeTimers();
    const batches = useBatchesStore();
    const outage = new ApiError({ code: "SERVICE_UNAVAILABLE", message: "", status: 503, retryAfterSeconds: 2 });
    fakeApi.requestPipeline.mockRejectedValueOnce(outage).mockResolvedValueOnce({ request_id: "r1", replayed: true });
    const retries: number[] = [];
    const result = batches.runPipeline("b1", { pipeline: "spellcheck", checkedCategories: [] }, (_attempt, wait) =>
      retries.push(wait),
    );
    await vi.advanceTimersByTimeAsync(2000);
    await expect(result).resolves.toMatchObject({ request_id: "r1" });
    const keys = fakeApi.requestPipeline.mock.calls.map((call) => call[2]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(retries).toEqual([2]);
    expect(fakeApi.requestPipeline.mock.calls[0]?.[1]).toEqual({ pipeline: "spellcheck" });
    vi.useRealTimers();
  });

  it("sends the grammar categories the teacher unticked", async () => {
    const batches = useBatchesStore();
    fakeApi.requestPipeline.mockResolvedValueOnce({ request_id: "r2", replayed: false });
    const everyOtherCategory = ["GRAMMAR", "PUNCTUATION", "CASING", "CONFUSED_WORDS", "COLLOCATIONS", "REDUNDANCY", "SEMANTICS", "MISC"] as const;
    await batches.runPipeline("b1", { pipeline: "spellcheck+grammar", checkedCategories: everyOtherCategory });
    expect(fakeApi.requestPipeline).toHaveBeenLastCalledWith(
      "b1",
      { pipeline: "spellcheck+grammar", disabled_grammar_categories: ["TYPOGRAPHY", "STYLE"] },
      expect.any(String),
    );
  });

  it("remembers batches it created (their view may lag a moment)", async () => {
    const batches = useBatchesStore();
    fakeApi.createBatch.mockResolvedValue({ batch_id: "b9" });
    fakeApi.listBatches.mockResolvedValue({ items: [] });
    await batches.create({ course_code: "SV1", essay_instructions: "x", expected_essay_count: 1, class_id: null });
    expect(batches.isNew("b9")).toBe(true);
    expect(batches.isNew("b1")).toBe(false);
  });
});
