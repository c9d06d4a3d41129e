import { describe, expect, it } from "vitest";

import { toCsv } from "./csv.js";

describe("toCsv", () => {
  it("quotes commas, quotes and line breaks, and defuses formulas", () => {
    expect(
      toCsv(
        ["a", "b", "c"],
        [
          ["x,y", 'say "hi"', "line\nbreak"],
          ["=SUM(A1)", 3, null],
        ],
      ),
    ).toBe('a,b,c\r\n"x,y","say ""hi""","line\nbreak"\r\n\'=SUM(A1),3,\r\n');
  });
});
