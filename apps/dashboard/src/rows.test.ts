import { describe, expect, it } from "vitest";

import { parseRows } from "./rows.js";

describe("parseRows", () => {
  it("reads CSV with a header, quotes, doubled quotes, commas and newlines in values", () => {
    const csv = 'id,note\r\nA-1,"a, b"\nA-2,"say ""hi""\nthere"\n';
    expect(parseRows(csv, "csv")).toEqual({
      ok: true,
      rows: [
        { id: "A-1", note: "a, b" },
        { id: "A-2", note: 'say "hi"\nthere' },
      ],
    });
  });

  it("names the CSV row whose width is off and an unclosed quote", () => {
    expect(parseRows("id,amount\nA-1\n", "csv")).toEqual({
      ok: false,
      error: "row 1 has 1 values, the header has 2",
    });
    expect(parseRows('id\n"A-1\n', "csv")).toMatchObject({
      ok: false,
      error: "line 3: a quoted value is not closed",
    });
    expect(parseRows("", "csv")).toEqual({
      ok: false,
      error: "CSV needs a header line",
    });
  });

  it("takes a JSON array of objects and says what else it got", () => {
    expect(parseRows('[{"id":"A-1","amount":5}]', "json")).toEqual({
      ok: true,
      rows: [{ id: "A-1", amount: 5 }],
    });
    expect(parseRows('{"id":1}', "json")).toEqual({
      ok: false,
      error: "JSON rows must be an array of objects",
    });
    expect(parseRows("[1]", "json")).toEqual({
      ok: false,
      error: "row 1 is not an object",
    });
    expect(parseRows("[", "json")).toMatchObject({ ok: false });
  });
});
