import { rm } from "node:fs/promises";

import type { DataSource } from "@vigil/contracts";

import {
  ByteBudget,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_ROW_BYTES,
} from "./byte-budget.js";
import { loadHttpRows } from "./http/load-http.js";
import { type LoadLatestDataset, loadManualRows } from "./load-manual.js";
import { openNdjsonWriter } from "./ndjson-writer.js";
import { createRowKeyCollector } from "./row-keys.js";
import { LoadAbort, loadFailure, type LoadRowsResult } from "./result.js";
import { scrubSecrets } from "./scrub.js";
import { loadMysqlRows } from "./sql/load-mysql.js";
import { loadPostgresRows } from "./sql/load-postgres.js";
import {
  createSourceConnections,
  type SourceConnections,
} from "./sql/source-connections.js";

export interface LoadRowsOptions {
  source: DataSource;
  /** The execution's window: `:start`/`:end` in SQL, `{start}`/`{end}` in HTTP query values. */
  window: { start: Date; end: Date };
  /** Resolves an `_env` name through the executor's secret store; undefined or "" means not available. */
  secrets: (name: string) => string | undefined;
  /** Why a secret is not available, for the run's error (never a value). */
  explainMissingSecret?: (name: string) => string;
  /** The run folder's `rows.ndjson`; truncated, then written as rows arrive; removed on failure. */
  outFile: string;
  signal?: AbortSignal;
  projectId: string;
  loadLatestDataset: LoadLatestDataset;
  /** The operator's switch for HTTP sources on loopback/private networks (the source must opt in too). */
  allowPrivateNetworks: boolean;
  /** DATASOURCE_MAX_ROW_BYTES (default 1 MiB). */
  maxRowBytes?: number;
  /** DATASOURCE_MAX_BYTES (default 64 MiB). */
  maxBytes?: number;
  /**
   * The process's pooled SQL connections (the executor's, closed at its shutdown).
   * Unset: a connection of this load's own, closed when it ends.
   */
  connections?: SourceConnections;
  /**
   * Rows already loaded (a replay's stored input): written as given, under the same limits and
   * key collection, and the source itself is not read.
   */
  rows?: readonly unknown[];
}

const STORED_BATCH = 1000;

/**
 * Loads a data source's rows into `outFile` as NDJSON (one object per line): the
 * executor's trusted step before a detector runs. Expected failures (bad config, missing
 * secret, unreachable server, rejected query, timeout, too many rows, bad response) come
 * back as `{ ok: false, code, message }`; every message is scrubbed of the secret
 * values this load used. Throws only when `outFile` itself cannot be written.
 */
export async function loadRowsToFile(
  options: LoadRowsOptions,
): Promise<LoadRowsResult> {
  const { source, window, outFile } = options;
  const signal = options.signal ?? new AbortController().signal;
  if (signal.aborted) {
    return loadFailure("cancelled", "loading was cancelled");
  }
  const used: string[] = [];
  const readSecret = (name: string): string => {
    const value = options.secrets(name);
    if (value === undefined || value === "") {
      throw new LoadAbort(
        "secret_missing",
        options.explainMissingSecret?.(name) ??
          `the secret ${name} is not available on the executor`,
      );
    }
    used.push(value);
    return value;
  };
  const limits = {
    maxRowBytes: options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
  };
  const budget = new ByteBudget(limits);
  const rowKeys =
    source.key === undefined ? undefined : createRowKeyCollector(source.key);
  const writer = await openNdjsonWriter(outFile, limits, rowKeys);
  try {
    if (options.rows !== undefined) {
      for (let i = 0; i < options.rows.length; i += STORED_BATCH) {
        await writer.writeRows(options.rows.slice(i, i + STORED_BATCH));
      }
      return {
        ok: true,
        ...(await writer.close()),
        rowKeys: rowKeys?.keys() ?? null,
      };
    }
    switch (source.type) {
      case "sql": {
        const load =
          source.driver === "postgres" ? loadPostgresRows : loadMysqlRows;
        const connectionUrl = readSecret(source.url_env);
        const connections =
          options.connections ?? createSourceConnections({ maxPerSource: 1 });
        try {
          await load({
            source,
            connectionUrl,
            window,
            writer,
            signal,
            budget,
            connections,
          });
        } finally {
          if (options.connections === undefined) {
            await connections.close();
          }
        }
        break;
      }
      case "http":
        await loadHttpRows({
          source,
          window,
          writer,
          readSecret,
          signal,
          budget,
          allowPrivateNetworks: options.allowPrivateNetworks,
        });
        break;
      case "manual":
        await loadManualRows({
          projectId: options.projectId,
          loadLatestDataset: options.loadLatestDataset,
          writer,
        });
        break;
    }
    return {
      ok: true,
      ...(await writer.close()),
      rowKeys: rowKeys?.keys() ?? null,
    };
  } catch (error) {
    await writer.discard();
    await rm(outFile, { force: true });
    if (error instanceof LoadAbort) {
      return loadFailure(
        error.failure.code,
        scrubSecrets(error.failure.message, used),
      );
    }
    // A bug, not an expected failure: rethrow, but never with a credential in it.
    throw new Error(
      scrubSecrets(
        `loading rows failed unexpectedly: ${(error as Error).message}`,
        used,
      ),
    );
  }
}
