// The teacher's batches: the list, each open batch's view, files and authors.
import { defineStore } from "pinia";
import { ref } from "vue";

import { requestPipelineSafely } from "@/api/pipeline";
import type {
  AssociationsConfirm,
  BatchAssociations,
  BatchCreate,
  BatchResult,
  BatchSummary,
  FileRecord,
} from "@/api/types";
import { pipelineRequestBody, type PipelineChoice } from "@/domain/pipelineChoice";
import { api } from "@/services";

export const useBatchesStore = defineStore("batches", () => {
  const batches = ref<BatchSummary[]>([]);
  const loaded = ref(false);
  const details = ref<Record<string, BatchResult>>({});
  const files = ref<Record<string, FileRecord[]>>({});
  const associations = ref<Record<string, BatchAssociations>>({});
  // Batches created in this tab: their result view may lag their creation by a moment.
  const justCreated = new Set<string>();

  async function load() {
    batches.value = (await api.listBatches()).items;
    loaded.value = true;
  }

  async function create(body: BatchCreate) {
    const created = await api.createBatch(body);
    justCreated.add(created.batch_id);
    await load().catch(() => undefined); // the new batch shows once the views have it
    return created;
  }

  async function loadDetail(batchId: string) {
    const detail = await api.getBatch(batchId);
    details.value = { ...details.value, [batchId]: detail };
    return detail;
  }

  async function loadFiles(batchId: string) {
    files.value = { ...files.value, [batchId]: (await api.listFiles(batchId)).files };
  }

  async function removeFile(batchId: string, fileUploadId: string) {
    await api.removeFile(batchId, fileUploadId);
    files.value = {
      ...files.value,
      [batchId]: (files.value[batchId] ?? []).filter((f) => f.file_upload_id !== fileUploadId),
    };
  }

  async function loadAssociations(batchId: string) {
    const found = await api.getAssociations(batchId);
    associations.value = { ...associations.value, [batchId]: found };
    return found;
  }

  async function confirmAssociations(batchId: string, body: AssociationsConfirm) {
    const confirmed = await api.confirmAssociations(batchId, body);
    associations.value = { ...associations.value, [batchId]: confirmed };
    return confirmed;
  }

  function runPipeline(
    batchId: string,
    choice: PipelineChoice,
    onRetry?: (attempt: number, waitSeconds: number) => void,
  ) {
    const body = pipelineRequestBody(choice);
    return requestPipelineSafely({
      send: (key) => api.requestPipeline(batchId, body, key),
      onRetry,
    });
  }

  const isNew = (batchId: string) => justCreated.has(batchId);

  return {
    isNew,
    batches,
    loaded,
    details,
    files,
    associations,
    load,
    create,
    loadDetail,
    loadFiles,
    removeFile,
    loadAssociations,
    confirmAssociations,
    runPipeline,
  };
});
