/** The run folder's row file: NDJSON, one object per line, written by the executor's load. */
export const ROWS_FILE = "rows.ndjson";
/**
 * Present in the run folder while the executor is still appending to ROWS_FILE: the detector
 * starts with the load and follows the file until this is gone (templates/runtime/read-rows.mjs
 * names the same two files).
 */
export const ROWS_LOADING_FILE = "rows.loading";
