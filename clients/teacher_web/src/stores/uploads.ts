// Files a teacher dropped, on their way to the gateway: each with its own progress and result.
// Uploads run in the background (two groups at a time); the page stays usable meanwhile.
import { defineStore } from "pinia";
import { ref } from "vue";

import type { ApiError } from "@/api/errors";
import type { FileUploadResult } from "@/api/types";
import { planGroups, uploadGroup, type GroupOutcome } from "@/api/upload";
import { http } from "@/services";

export type UploadState = "queued" | "uploading" | "accepted" | "rejected" | "failed";

export interface UploadItem {
  key: string;
  batchId: string;
  file: File;
  name: string;
  state: UploadState;
  fraction: number;
  errorCode: string | null;
  serverMessage: string | null;
  error: ApiError | null;
  fileUploadId: string | null;
}

export type GroupSender = (
  batchId: string,
  files: readonly File[],
  onProgress: (fractions: number[]) => void,
) => Promise<GroupOutcome>;

export const CONCURRENT_GROUPS = 2;

const defaultSender: GroupSender = (batchId, files, onProgress) =>
  uploadGroup(http, batchId, files, onProgress).promise;

let nextKey = 0;

export const useUploadsStore = defineStore("uploads", () => {
  const items = ref<UploadItem[]>([]);
  let sender: GroupSender = defaultSender;
  const queue: UploadItem[][] = [];
  let running = 0;
  const listeners = new Set<(batchId: string) => void>();

  function useSender(next: GroupSender) {
    sender = next;
  }

  /** Called after each group is answered (a view refreshes its batch and file list). */
  function onGroupDone(listener: (batchId: string) => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  function forBatch(batchId: string) {
    return items.value.filter((item) => item.batchId === batchId);
  }

  function item(key: string): UploadItem | undefined {
    return items.value.find((candidate) => candidate.key === key);
  }

  function add(batchId: string, files: readonly { file: File; name: string }[]) {
    const added = files.map(({ file, name }) => {
      nextKey += 1;
      return {
        key: `upload-${nextKey}`,
        batchId,
        file,
        name,
        state: "queued" as UploadState,
        fraction: 0,
        errorCode: null,
        serverMessage: null,
        error: null,
        fileUploadId: null,
      };
    });
    items.value = [...items.value, ...added];
    for (const group of planGroups(added, (entry) => entry.file.size)) queue.push(group);
    pump();
  }

  function pump() {
    while (running < CONCURRENT_GROUPS && queue.length > 0) {
      const group = queue.shift();
      if (group) void send(group);
    }
  }

  function apply(group: UploadItem[], outcome: GroupOutcome) {
    if (outcome.kind === "failed") {
      for (const entry of group) {
        const live = item(entry.key);
        if (!live) continue;
        live.state = "failed";
        live.error = outcome.error;
        live.errorCode = outcome.error.code;
        live.serverMessage = outcome.error.message;
      }
      return;
    }
    const unmatched = [...outcome.files];
    for (const entry of group) {
      const live = item(entry.key);
      if (!live) continue;
      const at = unmatched.findIndex((result) => result.filename === entry.file.name);
      const result: FileUploadResult | undefined = at >= 0 ? unmatched.splice(at, 1)[0] : unmatched.shift();
      live.fraction = 1;
      live.fileUploadId = result?.file_upload_id ?? null;
      live.state = result?.status === "accepted" ? "accepted" : "rejected";
      live.errorCode = result?.error_code ?? (result ? null : "UNEXPECTED_RESPONSE");
      live.serverMessage = result?.message ?? null;
    }
  }

  async function send(group: UploadItem[]) {
    running += 1;
    for (const entry of group) {
      const live = item(entry.key);
      if (live) live.state = "uploading";
    }
    try {
      const outcome = await sender(
        group[0]?.batchId ?? "",
        group.map((entry) => entry.file),
        (fractions) => {
          group.forEach((entry, index) => {
            const live = item(entry.key);
            if (live) live.fraction = fractions[index] ?? live.fraction;
          });
        },
      );
      apply(group, outcome);
      const batchId = group[0]?.batchId;
      if (batchId) listeners.forEach((listener) => listener(batchId));
    } finally {
      running -= 1;
      pump();
    }
  }

  function dismiss(key: string) {
    items.value = items.value.filter((candidate) => candidate.key !== key);
  }

  return { items, add, forBatch, dismiss, useSender, onGroupDone };
});
