export { loadRowsToFile, type LoadRowsOptions } from "./load-rows.js";
export {
  createSourceConnections,
  DEFAULT_SOURCE_POOL_IDLE_MS,
  DEFAULT_SOURCE_POOL_SIZE,
  type SourceConnections,
  type SourceConnectionsOptions,
} from "./sql/source-connections.js";
export type { LoadLatestDataset } from "./load-manual.js";
export type { LoadErrorCode, LoadRowsResult } from "./result.js";
export { scrubSecrets } from "./scrub.js";
export { rowKeyFields, rowKeyOf } from "./row-keys.js";
export { MAX_CSV_COLUMNS, parseCsv, type CsvResult } from "./csv.js";
