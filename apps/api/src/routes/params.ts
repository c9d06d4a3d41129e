import { ProjectIdSchema, RuleIdSchema } from "@vigil/contracts";
import { z } from "zod";

/** A bigint id in a path; at most 15 digits so it stays an exact JS number. */
export const NumericIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, "expected a positive integer id");

export const ProjectParamsSchema = z.object({ id: ProjectIdSchema }).strict();
export const ScheduleParamsSchema = z
  .object({ id: ProjectIdSchema, scheduleId: NumericIdSchema })
  .strict();
export const RuleParamsSchema = z
  .object({ id: ProjectIdSchema, ruleId: RuleIdSchema })
  .strict();
export const ExecutionParamsSchema = z.object({ id: NumericIdSchema }).strict();
