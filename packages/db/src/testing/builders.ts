import { createHash } from "node:crypto";

import type { Db } from "../pool.js";
import { toJson, type JsonObject } from "../tables/common.js";
import type {
  DiscrepancyRow,
  NewDiscrepancy,
} from "../tables/discrepancies.js";
import type { ProjectRow } from "../tables/projects.js";
import type { RuleRow } from "../tables/rules.js";
import type { ScheduleRow } from "../tables/schedules.js";
import type { NewTrigger, TriggerRow } from "../tables/triggers.js";

let counter = 0;
const nextSlug = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

export const MANUAL_PROJECT_CONFIG: JsonObject = {
  data_source: { type: "manual" },
};

/** Inserts a project with defaults for everything not given. */
export async function insertProject(
  db: Db,
  overrides: Partial<{
    id: string;
    name: string;
    config: JsonObject;
    isActive: boolean;
  }> = {},
): Promise<ProjectRow> {
  const id = overrides.id ?? nextSlug("p");
  return db
    .insertInto("projects")
    .values({
      id,
      name: overrides.name ?? id,
      config: toJson(overrides.config ?? MANUAL_PROJECT_CONFIG),
      is_active: overrides.isActive ?? true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertSchedule(
  db: Db,
  projectId: string,
  overrides: Partial<{
    cron: string;
    timezone: string;
    concurrencyPolicy: ScheduleRow["concurrency_policy"];
    misfirePolicy: ScheduleRow["misfire_policy"];
    startingDeadlineSeconds: number | null;
    isActive: boolean;
  }> = {},
): Promise<ScheduleRow> {
  return db
    .insertInto("schedules")
    .values({
      project_id: projectId,
      cron_expression: overrides.cron ?? "* * * * *",
      timezone: overrides.timezone ?? "UTC",
      concurrency_policy: overrides.concurrencyPolicy ?? "forbid",
      misfire_policy: overrides.misfirePolicy ?? "run_once",
      starting_deadline_seconds: overrides.startingDeadlineSeconds ?? null,
      is_active: overrides.isActive ?? true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertRule(
  db: Db,
  projectId: string,
  overrides: Partial<{
    ruleId: string;
    code: string;
    severity: RuleRow["severity"];
    parameters: JsonObject;
    isActive: boolean;
  }> = {},
): Promise<RuleRow> {
  return db
    .insertInto("rules")
    .values({
      project_id: projectId,
      rule_id: overrides.ruleId ?? nextSlug("rule"),
      code: overrides.code ?? "export function detect(rows) { return []; }",
      severity: overrides.severity ?? "medium",
      parameters: toJson(overrides.parameters ?? {}),
      is_active: overrides.isActive ?? true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Inserts `count` pending triggers for a project, due at `fireAt` (default: now). */
export async function insertTriggers(
  db: Db,
  projectId: string,
  count: number,
  overrides: Partial<Omit<NewTrigger, "project_id">> = {},
): Promise<TriggerRow[]> {
  const fireAt = overrides.fire_at ?? new Date();
  const rows: NewTrigger[] = Array.from({ length: count }, () => ({
    source: "manual" as const,
    available_at: overrides.available_at ?? fireAt,
    ...overrides,
    fire_at: fireAt,
    project_id: projectId,
  }));
  return rows.length === 0
    ? []
    : db.insertInto("triggers").values(rows).returningAll().execute();
}

/** Inserts an open discrepancy (a run's finding) with defaults for everything not given. */
export async function insertDiscrepancy(
  db: Db,
  projectId: string,
  overrides: Partial<NewDiscrepancy> = {},
): Promise<DiscrepancyRow> {
  const key = nextSlug("k");
  const now = new Date();
  return db
    .insertInto("discrepancies")
    .values({
      project_id: projectId,
      fingerprint: createHash("sha256").update(`r1\0${key}`).digest("hex"),
      rule_id: "r1",
      finding_key: key,
      severity: "medium",
      message: `row ${key} differs`,
      first_seen_at: now,
      last_seen_at: now,
      first_execution_id: 1,
      last_execution_id: 1,
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
