// Every gateway route the app uses, typed by the generated schema.
import type { HttpClient } from "./http";
import type {
  AssociationsConfirm,
  BatchAssociations,
  BatchCreate,
  BatchCreated,
  BatchList,
  BatchResult,
  ClassCreate,
  ClassDetail,
  ClassUpdate,
  Course,
  DevToken,
  EssayErasureMode,
  EssayResult,
  EssayText,
  FileList,
  PipelineAccepted,
  PipelineRequestBody,
  RosterImportResult,
  SchoolClass,
  Student,
  StudentExport,
  StudentUpdate,
  WsTicket,
} from "./types";

const id = encodeURIComponent;

export function gatewayApi(http: HttpClient) {
  return {
    mintDevToken: (userId: string) =>
      http.call<DevToken>("POST", "/v1/dev/tokens", { json: { user_id: userId }, auth: false }),
    wsTicket: () => http.call<WsTicket>("POST", "/v1/ws-tickets"),

    courses: async () => (await http.call<{ items: Course[] }>("GET", "/v1/courses")).items,
    listClasses: (limit = 200, offset = 0) =>
      http.call<{ items: SchoolClass[]; total: number }>("GET", "/v1/classes", { query: { limit, offset } }),
    createClass: (body: ClassCreate) => http.call<SchoolClass>("POST", "/v1/classes", { json: body }),
    getClass: (classId: string) => http.call<ClassDetail>("GET", `/v1/classes/${id(classId)}`),
    updateClass: (classId: string, body: ClassUpdate) =>
      http.call<SchoolClass>("PATCH", `/v1/classes/${id(classId)}`, { json: body }),
    deleteClass: (classId: string) => http.call<null>("DELETE", `/v1/classes/${id(classId)}`),
    importRoster: (classId: string, file: File) => {
      const form = new FormData();
      form.append("file", file, file.name);
      return http.call<RosterImportResult>("POST", `/v1/classes/${id(classId)}/roster`, { body: form });
    },

    updateStudent: (studentId: string, body: StudentUpdate) =>
      http.call<Student>("PATCH", `/v1/students/${id(studentId)}`, { json: body }),
    eraseStudent: (studentId: string, essays: EssayErasureMode) =>
      http.call<null>("DELETE", `/v1/students/${id(studentId)}`, { query: { essays } }),
    exportStudent: (studentId: string) =>
      http.call<StudentExport>("GET", `/v1/students/${id(studentId)}/export`),

    createBatch: (body: BatchCreate) => http.call<BatchCreated>("POST", "/v1/batches", { json: body }),
    listBatches: (limit = 100, offset = 0) =>
      http.call<BatchList>("GET", "/v1/batches", { query: { limit, offset } }),
    getBatch: (batchId: string) => http.call<BatchResult>("GET", `/v1/batches/${id(batchId)}`),
    getEssay: (batchId: string, essayId: string) =>
      http.call<EssayResult>("GET", `/v1/batches/${id(batchId)}/essays/${id(essayId)}`, {
        query: { include_text: true },
      }),
    getEssayText: (batchId: string, essayId: string) =>
      http.call<EssayText>("GET", `/v1/batches/${id(batchId)}/essays/${id(essayId)}/text`),
    listFiles: (batchId: string) => http.call<FileList>("GET", `/v1/batches/${id(batchId)}/files`),
    removeFile: (batchId: string, fileUploadId: string) =>
      http.call<unknown>("DELETE", `/v1/batches/${id(batchId)}/files/${id(fileUploadId)}`),
    requestPipeline: (batchId: string, body: PipelineRequestBody, idempotencyKey: string) =>
      http.call<PipelineAccepted>("POST", `/v1/batches/${id(batchId)}/pipelines`, {
        json: body,
        headers: { "Idempotency-Key": idempotencyKey },
      }),
    getAssociations: (batchId: string) =>
      http.call<BatchAssociations>("GET", `/v1/batches/${id(batchId)}/associations`),
    confirmAssociations: (batchId: string, body: AssociationsConfirm) =>
      http.call<BatchAssociations>("POST", `/v1/batches/${id(batchId)}/associations/confirm`, { json: body }),
  };
}

export type GatewayApi = ReturnType<typeof gatewayApi>;
