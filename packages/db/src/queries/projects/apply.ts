import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import { toJson, type JsonObject } from "../../tables/common.js";
import type {
  ConcurrencyPolicy,
  MisfirePolicy,
} from "../../tables/schedules.js";
import type { RuleFields } from "../rules/create.js";
import { lockProjectForWrite } from "./lock.js";

export interface ApplyProjectInput {
  id: string;
  name: string;
  description: string;
  is_active: boolean;
  config: JsonObject;
  schedules: Array<{
    cron_expression: string;
    timezone: string;
    concurrency_policy: ConcurrencyPolicy;
    misfire_policy: MisfirePolicy;
    starting_deadline_seconds: number | null;
    is_active: boolean;
  }>;
  rules: RuleFields[];
}

export interface ApplyProjectResult {
  created: boolean;
  schedules: { kept: number; added: number; removed: number };
  rules: { upserted: number; removed: number };
}

/**
 * Makes the database hold exactly this project (declarative, like `kubectl apply`): settings
 * upserted with the version bumped, rules upserted by rule_id and the ones not listed deleted,
 * schedules matched by their definition, so an unchanged schedule keeps its id, cursor and
 * triggers; changed or dropped ones are deleted (their pending triggers are cancelled by the
 * trigger-creator). Must run in the caller's transaction: all of it or nothing.
 *
 * Lock order (lockProjectForWrite): the project row, then its schedules in id order, before
 * the upsert, whose `is_active` trigger may update those schedules. Whether the project was
 * created is decided by the upsert alone (`xmax = 0` only on a row this statement inserted),
 * so of many concurrent applies of a new id exactly one answers "created".
 */
export async function applyProject(
  trx: Transaction<Database>,
  p: ApplyProjectInput,
): Promise<ApplyProjectResult> {
  await lockProjectForWrite(trx, p.id);
  const upserted = await trx
    .insertInto("projects")
    .values({
      id: p.id,
      name: p.name,
      description: p.description,
      config: toJson(p.config),
      is_active: p.is_active,
    })
    .onConflict((oc) =>
      oc.column("id").doUpdateSet((eb) => ({
        name: eb.ref("excluded.name"),
        description: eb.ref("excluded.description"),
        config: eb.ref("excluded.config"),
        is_active: eb.ref("excluded.is_active"),
        version: sql<number>`projects.version + 1`,
        updated_at: sql<Date>`now()`,
      })),
    )
    .returning(sql<boolean>`xmax = 0`.as("created"))
    .executeTakeFirstOrThrow();

  const rules = await applyRules(trx, p);
  const schedules = await applySchedules(trx, p);
  return { created: upserted.created, rules, schedules };
}

async function applyRules(
  trx: Transaction<Database>,
  p: ApplyProjectInput,
): Promise<ApplyProjectResult["rules"]> {
  const keep = p.rules.map((r) => r.rule_id);
  let removeQuery = trx.deleteFrom("rules").where("project_id", "=", p.id);
  if (keep.length > 0) {
    removeQuery = removeQuery.where("rule_id", "not in", keep);
  }
  const removed = await removeQuery.executeTakeFirst();
  if (p.rules.length > 0) {
    await trx
      .insertInto("rules")
      .values(
        p.rules.map((r) => ({
          project_id: p.id,
          ...r,
          parameters: toJson(r.parameters),
          dependencies: toJson(r.dependencies),
        })),
      )
      .onConflict((oc) =>
        oc.columns(["project_id", "rule_id"]).doUpdateSet((eb) => ({
          definition_id: eb.ref("excluded.definition_id"),
          description: eb.ref("excluded.description"),
          category: eb.ref("excluded.category"),
          severity: eb.ref("excluded.severity"),
          logic: eb.ref("excluded.logic"),
          code: eb.ref("excluded.code"),
          explanation: eb.ref("excluded.explanation"),
          parameters: eb.ref("excluded.parameters"),
          dependencies: eb.ref("excluded.dependencies"),
          is_active: eb.ref("excluded.is_active"),
          updated_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }
  return { upserted: p.rules.length, removed: Number(removed.numDeletedRows) };
}

/** What makes two schedules the same for `applyProject` (kept, not replaced); `vigil plan` matches by it too. */
export const scheduleKey = (s: ApplyProjectInput["schedules"][number]) =>
  JSON.stringify([
    s.cron_expression,
    s.timezone,
    s.concurrency_policy,
    s.misfire_policy,
    s.starting_deadline_seconds,
    s.is_active,
  ]);

async function applySchedules(
  trx: Transaction<Database>,
  p: ApplyProjectInput,
): Promise<ApplyProjectResult["schedules"]> {
  const current = await trx
    .selectFrom("schedules")
    .selectAll()
    .where("project_id", "=", p.id)
    .orderBy("id")
    // already locked when the project existed; a project another apply created meanwhile
    // has its schedules locked here, still in id order
    .forUpdate()
    .execute();
  // wanted schedules not yet matched by an existing row; what is left at the end gets added
  const toAdd = [...p.schedules];
  const toRemove: number[] = [];
  for (const s of current) {
    const i = toAdd.findIndex((w) => scheduleKey(w) === scheduleKey(s));
    if (i >= 0) {
      toAdd.splice(i, 1);
    } else {
      toRemove.push(s.id);
    }
  }
  if (toRemove.length > 0) {
    await trx.deleteFrom("schedules").where("id", "in", toRemove).execute();
  }
  if (toAdd.length > 0) {
    await trx
      .insertInto("schedules")
      .values(toAdd.map((s) => ({ project_id: p.id, ...s })))
      .execute();
  }
  return {
    kept: current.length - toRemove.length,
    added: toAdd.length,
    removed: toRemove.length,
  };
}
