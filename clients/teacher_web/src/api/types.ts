// Names for the gateway's schemas, so the app reads `BatchResult` rather than a path.
import type { components } from "./schema";

type Schemas = components["schemas"];

export type ErrorCode = Schemas["ErrorCode"];
export type CourseCode = Schemas["CourseCode"];
export type Course = Schemas["CourseV1"];
export type SchoolClass = Schemas["ClassV1"];
export type ClassDetail = Schemas["ClassDetailV1"];
export type ClassCreate = Schemas["ClassCreateV1"];
export type ClassUpdate = Schemas["ClassUpdateV1"];
export type Student = Schemas["StudentV1"];
export type StudentUpdate = Schemas["StudentUpdateV1"];
export type StudentExport = Schemas["StudentExportV1"];
export type RosterImportResult = Schemas["RosterImportResultV1"];
export type BatchCreate = Schemas["CreateBatchRequest"];
export type BatchCreated = Schemas["BatchCreatedResponse"];
export type BatchSummary = Schemas["BatchSummaryV1"];
export type BatchList = Schemas["BatchListV1"];
export type BatchResult = Schemas["BatchResultV1"];
export type BatchStatus = Schemas["BatchStatus"];
export type EssaySummary = Schemas["EssayResultSummaryV1"];
export type EssayResult = Schemas["EssayResultV1"];
export type EssayText = Schemas["EssayTextV1"];
export type EssayStatus = Schemas["EssayStatus"];
export type Misspelling = Schemas["Misspelling"];
export type FlagCategory = Schemas["FlagCategory"];
export type GrammarMatch = Schemas["GrammarMatch"];
export type GrammarResult = Schemas["GrammarResultV1"];
export type FileRecord = Schemas["FileRecord"];
export type FileList = Schemas["FileListResponse"];
export type FileUploadResult = Schemas["FileUploadResult"];
export type FileUploadResponse = Schemas["FileUploadResponse"];
export type PipelineAccepted = Schemas["PipelineAccepted"];
export type PipelineName = Schemas["PipelineName"];
export type PipelineRequestBody = Schemas["PipelineRequest"];
export type GrammarCategory = Schemas["GrammarCategory"];
export type BatchAssociations = Schemas["BatchAssociationsV1"];
export type EssayAssociation = Schemas["EssayAssociationV1"];
export type AssociationsConfirm = Schemas["AssociationsConfirmV1"];
export type EssayErasureMode = Schemas["EssayErasureMode"];
export type DevToken = Schemas["DevTokenResponse"];
export type WsTicket = Schemas["WsTicketResponse"];

// Every ErrorCode the gateway documents, at run time (the i18n test checks each has words).
export const ERROR_CODES = [
  "VALIDATION_ERROR",
  "INVALID_REQUEST",
  "NOT_FOUND",
  "CONFLICT",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "SERVICE_UNAVAILABLE",
  "CIRCUIT_OPEN",
  "TIMEOUT",
  "EXTERNAL_SERVICE_ERROR",
  "KAFKA_PUBLISH_ERROR",
  "DATABASE_ERROR",
  "BATCH_NOT_FOUND",
  "BATCH_NOT_ACCEPTING_FILES",
  "BATCH_ALREADY_PROCESSING",
  "ESSAY_NOT_FOUND",
  "FILE_NOT_FOUND",
  "CONTENT_NOT_FOUND",
  "UNSUPPORTED_FILE_TYPE",
  "EMPTY_FILE",
  "CONTENT_TOO_SHORT",
  "CONTENT_TOO_LONG",
  "FILE_TOO_LARGE",
  "CORRUPT_FILE",
  "PASSWORD_PROTECTED",
  "NO_EXTRACTABLE_TEXT",
  "ARCHIVE_BOMB",
  "DUPLICATE_FILE",
  "PIPELINE_NOT_READY",
  "PIPELINE_ALREADY_RUNNING",
  "PHASE_NOT_RETRYABLE",
  "CLASS_NOT_FOUND",
  "STUDENT_NOT_FOUND",
  "DUPLICATE_STUDENT_EMAIL",
  "DUPLICATE_CLASS_NAME",
  "UNKNOWN_COURSE",
  "MIXED_COURSES",
  "INTERNAL_ERROR",
] as const satisfies readonly ErrorCode[];

// Fails to compile when the gateway gains a code this list lacks.
type MissingErrorCode = Exclude<ErrorCode, (typeof ERROR_CODES)[number]>;
export const ERROR_CODES_COMPLETE: MissingErrorCode extends never ? true : never = true;

export const BATCH_STATUSES = [
  "awaiting_content",
  "awaiting_student_validation",
  "ready_for_pipeline",
  "processing",
  "completed",
  "completed_with_failures",
  "failed",
  "cancelled",
] as const satisfies readonly BatchStatus[];

export const ESSAY_STATUSES = [
  "awaiting_content",
  "ready_for_processing",
  "spellcheck_requested",
  "spellcheck_succeeded",
  "spellcheck_failed",
  "grammar_requested",
  "grammar_succeeded",
  "grammar_failed",
  "validation_failed",
  "completed",
] as const satisfies readonly EssayStatus[];

type MissingBatchStatus = Exclude<BatchStatus, (typeof BATCH_STATUSES)[number]>;
type MissingEssayStatus = Exclude<EssayStatus, (typeof ESSAY_STATUSES)[number]>;
export const STATUSES_COMPLETE: [MissingBatchStatus, MissingEssayStatus] extends [never, never]
  ? true
  : never = true;

export const COURSE_CODES = ["ENG5", "ENG6", "ENG7", "SV1", "SV2", "SV3"] as const satisfies readonly CourseCode[];
