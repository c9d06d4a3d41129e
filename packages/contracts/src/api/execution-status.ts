import { z } from "zod";

/** Every status an execution row can have (the executions_status_check constraint's list). */
export const EXECUTION_STATUSES = [
  "pending",
  "running",
  "success",
  "partial",
  "failed",
  "cancelled",
  "timeout",
  "lost",
] as const;

export const ExecutionStatusSchema = z.enum(EXECUTION_STATUSES);
