import { writeFile } from "node:fs/promises";

import {
  ProjectInputSchema,
  RuleInputSchema,
  ScheduleInputSchema,
} from "@vigil/contracts";
import { readProjectAuditState } from "@vigil/db";
import { stringify } from "yaml";

import type { CliContext } from "../context.js";
import { withDb } from "../with-db.js";

/** The fields of `row` that `schema` (a project file's input) has, in the schema's order. */
function inputFields(
  schema: { shape: Record<string, unknown> },
  row: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(schema.shape)
      .filter((k) => k in row)
      .map((k) => [k, row[k]]),
  );
}

/** A stored project as the project file `vigil apply` takes: settings, schedules, rules. */
async function projectDocument(
  db: Parameters<typeof readProjectAuditState>[0],
  id: string,
): Promise<Record<string, unknown> | null> {
  const state = await readProjectAuditState(db, id);
  if (state === null) {
    return null;
  }
  return {
    ...inputFields(ProjectInputSchema, state.project),
    schedules: state.schedules.map((s) => inputFields(ScheduleInputSchema, s)),
    rules: state.rules.map((r) => inputFields(RuleInputSchema, r)),
  };
}

/**
 * `vigil export PROJECT... [-o FILE]`: the projects as YAML that `vigil apply -f` takes, one
 * `---` document each; applying it changes nothing, and exporting again gives the same text.
 */
export async function exportCommand(
  ctx: CliContext,
  o: { projectIds: readonly string[]; output: string | undefined },
): Promise<number> {
  return withDb(ctx.databaseUrl(), async (db) => {
    const documents: string[] = [];
    for (const id of o.projectIds) {
      const doc = await projectDocument(db, id);
      if (doc === null) {
        ctx.err(`no project ${JSON.stringify(id)}`);
        return 1;
      }
      // block scalars keep rule code readable and diffable; no line folding, so text is kept byte for byte
      documents.push(stringify(doc, { blockQuote: "literal", lineWidth: 0 }));
    }
    const text = documents.join("---\n");
    if (o.output === undefined) {
      process.stdout.write(text);
    } else {
      await writeFile(o.output, text);
      ctx.out(`wrote ${o.projectIds.join(", ")} to ${o.output}`);
    }
    return 0;
  });
}
