/**
 * Why loading rows failed. The executor records the message on the execution, so it
 * must be clear enough to act on and must never contain a credential.
 * - `config`: the data source cannot work as written (unknown parameter, no dataset, ...)
 * - `secret_missing`: an `_env` name is not set on the executor
 * - `connect`: the database or HTTP host could not be reached, or the URL is refused
 * - `query`: the database rejected the query (syntax, permissions, a write in the read-only transaction)
 * - `timeout`: `timeout_seconds` elapsed
 * - `too_many_rows`: more than `max_rows` rows (or more than `max_pages` pages)
 * - `too_many_bytes`: a row over DATASOURCE_MAX_ROW_BYTES, or the load over DATASOURCE_MAX_BYTES
 * - `bad_response`: the HTTP body or a dataset is not the expected shape
 * - `http_status`: the HTTP source answered a non-2xx status (after retries)
 * - `cancelled`: the caller's signal aborted the load (lease lost, replaced run)
 */
export type LoadErrorCode =
  | "config"
  | "secret_missing"
  | "connect"
  | "query"
  | "timeout"
  | "too_many_rows"
  | "too_many_bytes"
  | "bad_response"
  | "http_status"
  | "cancelled";

export type LoadRowsResult =
  | {
      ok: true;
      rowCount: number;
      bytes: number;
      /** The distinct keys of the rows read (`data_source.key`); null when the source names none. */
      rowKeys: string[] | null;
    }
  | { ok: false; code: LoadErrorCode; message: string };

export type LoadFailure = Extract<LoadRowsResult, { ok: false }>;

export const loadFailure = (
  code: LoadErrorCode,
  message: string,
): LoadFailure => ({ ok: false, code, message });

/** Thrown inside a loader to end it with a specific failure; caught by `loadRowsToFile`. */
export class LoadAbort extends Error {
  readonly failure: LoadFailure;
  constructor(code: LoadErrorCode, message: string) {
    super(message);
    this.failure = loadFailure(code, message);
  }
}
