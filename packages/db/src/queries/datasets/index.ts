// The queries of datasets/, one statement per file; ../index.ts re-exports them.

export {
  insertDataset,
  type InsertDatasetOptions,
  type DatasetSummary,
} from "./insert.js";
export { getLatestDataset } from "./latest.js";
