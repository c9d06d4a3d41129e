import { describe, expect, it } from "vitest";

import { parseCsv } from "./csv.js";

describe("parseCsv", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi""\nthere"\r\n')).toEqual({
      ok: true,
      rows: [{ a: "x, y", b: 'say "hi"\nthere' }],
    });
  });

  it("skips a BOM and blank trailing lines and keeps empty fields", () => {
    expect(parseCsv("\ufeffa,b\n1,\n\n")).toEqual({
      ok: true,
      rows: [{ a: "1", b: "" }],
    });
  });

  it("refuses an unclosed quote, a ragged record and duplicate headers", () => {
    expect(parseCsv('a\n"open\n')).toEqual({
      ok: false,
      message: "line 2: a quoted field is not closed",
    });
    expect(parseCsv("a,b\n1,2,3\n")).toEqual({
      ok: false,
      message: "record 1: 3 fields, the header has 2",
    });
    expect(parseCsv("a,a\n1,2\n")).toMatchObject({ ok: false });
    expect(parseCsv("__proto__\n1\n")).toMatchObject({ ok: false });
    expect(parseCsv("")).toMatchObject({ ok: false });
  });
});
