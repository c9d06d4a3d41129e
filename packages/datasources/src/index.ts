export { loadRowsToFile, type LoadRowsOptions } from "./load-rows.js";
export type { LoadLatestDataset } from "./load-manual.js";
export type { LoadErrorCode, LoadRowsResult } from "./result.js";
export { scrubSecrets } from "./scrub.js";
export { rowKeyFields, rowKeyOf } from "./row-keys.js";
export { MAX_CSV_COLUMNS, parseCsv, type CsvResult } from "./csv.js";
