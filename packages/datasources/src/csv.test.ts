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

  it("refuses text after a closing quote and a quote inside an unquoted field, naming line and column", () => {
    expect(parseCsv('a,b\n"x"y,2\n')).toEqual({
      ok: false,
      message:
        "line 2, column 4: text after the closing quote of a quoted field",
    });
    expect(parseCsv('a,b\r\n1,"multi\nline" ,2\r\n')).toEqual({
      ok: false,
      message:
        "line 3, column 6: text after the closing quote of a quoted field",
    });
    expect(parseCsv('a,b\n1,x"y\n')).toEqual({
      ok: false,
      message: "line 2, column 4: a quote inside an unquoted field",
    });
    expect(parseCsv('a,b\n"x",""\n"",2')).toEqual({
      ok: true,
      rows: [
        { a: "x", b: "" },
        { a: "", b: "2" },
      ],
    });
  });
});
