import type { Insertable, Selectable } from "kysely";

import type { CreatedAt, Id, Json, JsonValue, Nullable } from "./common.js";

export type DatasetFormat = "json" | "csv";

export interface DatasetsTable {
  id: Id;
  project_id: string;
  format: DatasetFormat;
  filename: Nullable<string>;
  rows: Json<JsonValue[]>;
  row_count: number;
  size_bytes: number;
  sha256: string;
  uploaded_by: Nullable<string>;
  uploaded_at: CreatedAt;
}
export type DatasetRow = Selectable<DatasetsTable>;
export type NewDataset = Insertable<DatasetsTable>;
