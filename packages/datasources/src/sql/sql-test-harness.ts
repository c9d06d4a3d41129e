// Shared by the SQL data-source tests (load-postgres.test.ts, load-mysql.test.ts); not exported.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import {
  type DataSourceInput,
  DataSourceSchema,
  type SqlDataSource,
} from "@vigil/contracts";

import { loadRowsToFile } from "../load-rows.js";
import type { SourceConnections } from "./source-connections.js";

/** The data window of every SQL test: the rows at 10:15 and 10:45 are in, 11:00 is out. */
export const TEST_WINDOW = {
  start: new Date("2026-11-22T10:00:00Z"),
  end: new Date("2026-11-22T11:00:00Z"),
};

type SqlSource = Extract<DataSourceInput, { type: "sql" }>;

/**
 * `load(query, extra, secrets, signal)`: runs `loadRowsToFile` for an `sql` source of `driver`
 * whose URL is in the secret `VIGIL_SECRET_DB_URL`, into a file of its own, and returns the result, the file
 * and its rows (null when the load failed). `cleanup` removes the files. With `connections`
 * every load borrows from those pools, as the executor's do.
 */
export async function createSqlLoader(
  driver: SqlSource["driver"],
  dbUrl: string,
  limits: { maxRowBytes?: number; maxBytes?: number } = {},
  connections?: SourceConnections,
) {
  const outDir = await mkdtemp(path.join(tmpdir(), "vigil-ds-test-"));
  let n = 0;
  const load = async (
    query: string,
    extra: Partial<SqlSource> = {},
    secrets: Record<string, string> = { VIGIL_SECRET_DB_URL: dbUrl },
    signal?: AbortSignal,
  ) => {
    // the query goes in as a stored config may hold it: the schema refuses an undefined
    // :name, but a config saved before that check still reaches the loader, which must refuse it too
    const source = {
      ...(DataSourceSchema.parse({
        type: "sql",
        driver,
        url_env: "VIGIL_SECRET_DB_URL",
        query: "select 1",
        ...extra,
      }) as SqlDataSource),
      query,
    };
    const outFile = path.join(outDir, `${++n}.ndjson`);
    const result = await loadRowsToFile({
      source,
      window: TEST_WINDOW,
      secrets: (name) => secrets[name],
      outFile,
      projectId: "p1",
      loadLatestDataset: () => Promise.resolve(null),
      allowPrivateNetworks: false,
      ...limits,
      signal,
      ...(connections && { connections }),
    });
    const text = result.ok ? await readFile(outFile, "utf8") : null;
    const rows =
      text
        ?.trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>) ?? null;
    return { result, outFile, rows };
  };
  return { load, cleanup: () => rm(outDir, { recursive: true, force: true }) };
}

/** Polls `check` every 20 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) {
      throw new Error("condition not met in time");
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
