import type { NdjsonWriter } from "./ndjson-writer.js";
import { LoadAbort } from "./result.js";

export type LoadLatestDataset = (
  projectId: string,
) => Promise<{ rows: unknown[] } | null>;

const BATCH = 1000;

/** Copies the project's latest uploaded dataset (already parsed from JSON or CSV) into `writer`. */
export async function loadManualRows({
  projectId,
  loadLatestDataset,
  writer,
}: {
  projectId: string;
  loadLatestDataset: LoadLatestDataset;
  writer: NdjsonWriter;
}): Promise<void> {
  const dataset = await loadLatestDataset(projectId);
  if (dataset === null) {
    throw new LoadAbort(
      "config",
      `project ${projectId} uses a manual data source but no dataset has been uploaded; upload one with POST /projects/${projectId}/data`,
    );
  }
  const bad = dataset.rows.findIndex(
    (row) => row === null || typeof row !== "object" || Array.isArray(row),
  );
  if (bad !== -1) {
    throw new LoadAbort(
      "bad_response",
      `row ${bad} of the latest dataset of project ${projectId} is not an object`,
    );
  }
  for (let i = 0; i < dataset.rows.length; i += BATCH) {
    await writer.writeRows(dataset.rows.slice(i, i + BATCH));
  }
}
