import { stat, watch } from "node:fs/promises";
import path from "node:path";

import {
  appendAuditEvent,
  applyProject,
  createDb,
  deleteProject,
  inTransaction,
  listAllProjects,
  lockAuditTarget,
  readProjectAuditState,
  type Db,
  type JsonObject,
} from "@vigil/db";
import type { ProjectInput } from "@vigil/contracts";

import { cliActor } from "../actor.js";
import type { CliContext } from "../context.js";
import { formatProblems, readProjectFile } from "../project-file.js";

/** `vigil validate -f FILE`: checks projects without touching the database. */
export async function validateCommand(
  ctx: CliContext,
  file: string,
): Promise<number> {
  const result = await readProjectFile(file);
  if (!result.ok) {
    ctx.err(formatProblems(result.problems));
    return 1;
  }
  ctx.out(`ok: ${result.projects.map((p) => p.id).join(", ")}`);
  return 0;
}

export interface ApplyOptions {
  /** Also delete the projects the database has and the file does not. */
  prune: boolean;
  /** Apply again whenever the file (or a file of the folder) changes, until interrupted. */
  watch: boolean;
}

/**
 * `vigil apply -f FILE|DIR [--prune] [--watch]`: validates every project first, then applies
 * them all in one transaction, each with its audit row (actor `cli:<os user>`, before/after
 * state) in the same transaction; `--prune` deletes, in that transaction, every project not in
 * the file (audited as `project.delete`). The projects' audit locks are taken first, in id
 * order, as the API takes one per write: no two writers wait on each other in a cycle.
 */
export async function applyCommand(
  ctx: CliContext,
  file: string,
  o: ApplyOptions = { prune: false, watch: false },
): Promise<number> {
  const handle = createDb({
    connectionString: ctx.databaseUrl(),
    max: 1,
    applicationName: "vigil-cli",
  });
  try {
    const code = await applyOnce(ctx, handle.db, file, o.prune);
    if (!o.watch) {
      return code;
    }
    await watchAndApply(ctx, file, () =>
      applyOnce(ctx, handle.db, file, o.prune),
    );
    return 0;
  } finally {
    await handle.close();
  }
}

async function applyOnce(
  ctx: CliContext,
  db: Db,
  file: string,
  prune: boolean,
): Promise<number> {
  const result = await readProjectFile(file);
  if (!result.ok) {
    ctx.err(formatProblems(result.problems));
    ctx.err("nothing was applied");
    return 1;
  }
  const wanted = new Set(result.projects.map((p) => p.id));
  const actor = cliActor(ctx.env);
  const summaries = await inTransaction(db, async (trx) => {
    const others = (await listAllProjects(trx))
      .map((p) => p.id)
      .filter((id) => !wanted.has(id));
    const removing = prune ? others : [];
    for (const id of [...wanted, ...removing].sort()) {
      await lockAuditTarget(trx, id);
    }
    const out: string[] = [];
    for (const project of result.projects) {
      const before = await readProjectAuditState(trx, project.id);
      const r = await applyProject(trx, toApplyInput(project));
      await appendAuditEvent(trx, {
        actor,
        action: r.created ? "project.create" : "project.update",
        target: `project:${project.id}`,
        requestId: null,
        diff: { before, after: await readProjectAuditState(trx, project.id) },
      });
      out.push(
        `${project.id}: ${r.created ? "created" : "updated"}; rules ${r.rules.upserted} (removed ${r.rules.removed}); schedules kept ${r.schedules.kept}, added ${r.schedules.added}, removed ${r.schedules.removed}`,
      );
    }
    for (const id of removing) {
      const before = await readProjectAuditState(trx, id);
      if (await deleteProject(trx, id)) {
        await appendAuditEvent(trx, {
          actor,
          action: "project.delete",
          target: `project:${id}`,
          requestId: null,
          diff: { before, after: null },
        });
        out.push(`${id}: removed (not in the file; --prune)`);
      }
    }
    if (!prune && others.length > 0) {
      out.push(
        `${others.length} project(s) in the database are not in the file and were kept (--prune removes them): ${others.join(", ")}`,
      );
    }
    return out;
  });
  summaries.forEach((line) => ctx.out(line));
  return 0;
}

/** Debounce of `--watch`: editors write a file in several steps (truncate, write, rename). */
const WATCH_DEBOUNCE_MS = 300;

/**
 * Runs `apply` after each change of `file` (or of a file in the folder `file`) until SIGINT or
 * SIGTERM. A bad file is refused with its problems and the last applied state stays.
 */
async function watchAndApply(
  ctx: CliContext,
  file: string,
  apply: () => Promise<number>,
): Promise<void> {
  const isDir = (await stat(file)).isDirectory();
  const dir = isDir ? file : path.dirname(file);
  const name = path.basename(file);
  ctx.out(`watching ${file} (Ctrl-C to stop)`);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  try {
    for await (const event of watch(dir, { signal: controller.signal })) {
      if (!isDir && event.filename !== name) {
        continue;
      }
      clearTimeout(timer);
      timer = setTimeout(() => {
        running = running.then(async () => {
          const code = await apply().catch((err: unknown) => {
            ctx.err(`apply failed: ${(err as Error).message}`);
            return 1;
          });
          ctx.out(
            code === 0
              ? `applied ${file}`
              : `kept the last applied state; fix ${file} and save again`,
          );
        });
      }, WATCH_DEBOUNCE_MS);
    }
  } catch (err) {
    if ((err as Error).name !== "AbortError") {
      throw err;
    }
  } finally {
    clearTimeout(timer);
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await running;
  }
}

export function toApplyInput(project: ProjectInput) {
  return {
    ...project,
    config: project.config as unknown as JsonObject,
    rules: project.rules.map((r) => ({
      ...r,
      parameters: r.parameters as JsonObject,
      dependencies: r.dependencies,
    })),
  };
}
