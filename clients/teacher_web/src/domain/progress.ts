// Where a batch stands, as the four steps a teacher follows: uploaded, ready, processing, done.
import type { BatchResult } from "@/api/types";

export type StepState = "done" | "current" | "todo";

export interface BatchProgress {
  uploaded: { count: number; expected: number; state: StepState };
  ready: { state: StepState };
  processing: { done: number; total: number; state: StepState };
  finished: { state: StepState };
  rejected: number;
}

const FINISHED = new Set(["completed", "completed_with_failures", "failed", "cancelled"]);

/** Live counts (from essay_results_available) win over an older REST view while processing. */
export function batchProgress(batch: BatchResult, live?: { processed: number; total: number }): BatchProgress {
  const status = batch.status;
  const assigned = batch.assigned_essay_count ?? 0;
  const finished = FINISHED.has(status);
  const processing = status === "processing";
  const ready = status === "ready_for_pipeline" || processing || finished;
  const waitingForContent = status === "awaiting_content";
  const restDone = (batch.processed_essay_count ?? 0) + (batch.failed_essay_count ?? 0);
  // The essays being processed are the assigned ones; the live total counts every slot.
  const total = assigned > 0 ? assigned : (live?.total ?? 0);
  const done = Math.min(Math.max(restDone, live?.processed ?? 0), total);
  return {
    uploaded: {
      count: assigned,
      expected: batch.expected_essay_count,
      state: waitingForContent ? "current" : "done",
    },
    ready: { state: ready ? "done" : waitingForContent ? "todo" : "current" },
    processing: {
      done: finished ? total : done,
      total,
      state: finished ? "done" : processing ? "current" : "todo",
    },
    finished: { state: finished ? "done" : "todo" },
    rejected: batch.rejected_file_count ?? 0,
  };
}
