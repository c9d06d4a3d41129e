import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import {
  CONFIG_REFERENCE_START,
  renderConfigReference,
  replaceConfigReference,
} from "./config-reference.js";

const guide = () =>
  readFileSync(
    new URL("../../../docs/first-project.md", import.meta.url),
    "utf8",
  );

describe("the project-file reference in docs/first-project.md", () => {
  it("matches ProjectInputSchema (regenerate with npm run config-reference -w @vigil/contracts)", () => {
    const markdown = guide();
    expect(markdown).toContain(CONFIG_REFERENCE_START);
    expect(replaceConfigReference(markdown)).toBe(markdown);
  });

  it("lists every field of every object with a description", () => {
    const rendered = renderConfigReference();
    const rows = rendered.split("\n").filter((line) => line.startsWith("| `"));
    expect(rows.length).toBeGreaterThan(90);
    for (const row of rows) {
      // | field | type | default | description |
      expect(row, row).not.toMatch(/\| {2}\|$/);
    }
  });

  it("shows defaults, the data source variants and nested objects", () => {
    const rendered = renderConfigReference();
    expect(rendered).toContain(
      '| `lookback` | string, an ISO 8601 duration such as `PT1H`, `P1D` (no years or months) | `"PT1H"` |',
    );
    expect(rendered).toContain("#### config.data_source (type: sql)");
    expect(rendered).toContain("#### config.data_source.auth (type: api_key)");
    expect(rendered).toContain("#### config.channels (kind: email)");
    expect(rendered).toContain("#### schedules[]");
    expect(rendered).toMatch(
      /\| `timeout_seconds` \| integer, 1 to 86400 \| `600` \|/,
    );
  });

  it("is undefined without the markers, so the script can refuse", () => {
    expect(replaceConfigReference("# no markers\n")).toBeUndefined();
  });
});
