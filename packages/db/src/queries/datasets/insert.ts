import type { Db } from "../../pool.js";
import { toJson, type JsonValue } from "../../tables/common.js";
import type { DatasetFormat, DatasetRow } from "../../tables/datasets.js";

export interface InsertDatasetOptions {
  projectId: string;
  format: DatasetFormat;
  filename: string | null;
  rows: JsonValue[];
  sizeBytes: number;
  sha256: string;
  uploadedBy: string | null;
}

export type DatasetSummary = Omit<DatasetRow, "rows">;

/** Stores an uploaded dataset; the newest one per project feeds `manual` data sources. */
export async function insertDataset(
  db: Db,
  o: InsertDatasetOptions,
): Promise<DatasetSummary> {
  return db
    .insertInto("datasets")
    .values({
      project_id: o.projectId,
      format: o.format,
      filename: o.filename,
      rows: toJson(o.rows),
      row_count: o.rows.length,
      size_bytes: o.sizeBytes,
      sha256: o.sha256,
      uploaded_by: o.uploadedBy,
    })
    .returning([
      "id",
      "project_id",
      "format",
      "filename",
      "row_count",
      "size_bytes",
      "sha256",
      "uploaded_by",
      "uploaded_at",
    ])
    .executeTakeFirstOrThrow();
}
