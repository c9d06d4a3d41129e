import { readFile } from "node:fs/promises";

import { describe, expect, it } from "vitest";

import { renderApiSchema, SCHEMA_FILE } from "../scripts/api-schema.js";

describe("src/api/schema.d.ts", () => {
  it("is the API's current OpenAPI document as types (npm run api-schema -w @vigil/dashboard)", async () => {
    const committed = await readFile(SCHEMA_FILE, "utf8");
    const current = await renderApiSchema();
    // a stale file would let the dashboard call a route or read a field the API no longer has
    expect(
      committed === current,
      "run `npm run api-schema -w @vigil/dashboard`",
    ).toBe(true);
  });
});
