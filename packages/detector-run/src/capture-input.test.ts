import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";

import { describe, expect, it } from "vitest";

import { captureInput } from "./capture-input.js";

const window = { start: new Date(0), end: new Date(1000) };

async function rowsFile(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-capture-"));
  const file = path.join(dir, "rows.ndjson");
  await writeFile(file, text);
  return file;
}

describe("captureInput", () => {
  it("keeps the gzip of rows.ndjson with its sizes, window and parameters", async () => {
    const text = Array.from(
      { length: 500 },
      (_, i) => `{"id":${i},"status":"paid"}\n`,
    ).join("");
    const captured = await captureInput({
      rowsFile: await rowsFile(text),
      rowCount: 500,
      window,
      parameters: { r1: { tolerance: 1 } },
      maxBytes: 1024 ** 2,
    });
    if (!captured.kept) {
      throw new Error("expected the input to be kept");
    }
    expect(gunzipSync(captured.rowsGz).toString("utf8")).toBe(text);
    expect(captured.bytes).toBe(captured.rowsGz.length);
    expect(captured.rawBytes).toBe(Buffer.byteLength(text));
    expect(captured.bytes).toBeLessThan(captured.rawBytes);
    expect(captured).toMatchObject({
      rowCount: 500,
      window,
      parameters: { r1: { tolerance: 1 } },
    });
  });

  it("stops compressing past maxBytes and reports the input too large, without its rows", async () => {
    // random bytes do not compress: the gzip outgrows a 64 KiB cap
    const text = `${JSON.stringify({ blob: randomBytes(512 * 1024).toString("base64") })}\n`;
    const captured = await captureInput({
      rowsFile: await rowsFile(text),
      rowCount: 1,
      window,
      parameters: {},
      maxBytes: 64 * 1024,
    });
    expect(captured).toMatchObject({
      kept: false,
      reason: "too_large",
      rowCount: 1,
    });
    expect(captured.bytes).toBeGreaterThan(64 * 1024);
    expect(captured.rawBytes).toBe(Buffer.byteLength(text));
    expect("rowsGz" in captured).toBe(false);
  });
});
