import { isValidElement, type ReactElement } from "react";
import { describe, expect, it } from "vitest";

import { highlight } from "./Code.js";

/** Each piece as `kind:text`, plain text as it is. */
function pieces(code: string): string[] {
  return highlight(code).map((node) => {
    if (isValidElement(node)) {
      const el = node as ReactElement<{ className: string; children: string }>;
      return `${el.props.className.replace("tok-", "")}:${el.props.children}`;
    }
    return typeof node === "string" ? node : "?";
  });
}

describe("highlight", () => {
  it("marks keywords, strings, numbers and comments and keeps every character", () => {
    const code =
      'export function detect(rows) { // one per row\n  return rows.filter((r) => r.n > 10).map((r) => ({ key: `k${r.id}`, message: "big" }));\n}';
    const out = pieces(code);
    // nothing lost or added: the pieces put together are the code
    expect(
      out
        .map((p) => p.replace(/^(keyword|string|number|comment):/, ""))
        .join(""),
    ).toBe(code);
    expect(out).toContain("keyword:export");
    expect(out).toContain("keyword:function");
    expect(out).toContain("keyword:return");
    expect(out).toContain("comment:// one per row");
    expect(out).toContain("number:10");
    expect(out).toContain("string:`k${r.id}`");
    expect(out).toContain('string:"big"');
    expect(out).not.toContain("keyword:detect");
  });

  it("does not read keywords inside strings or comments", () => {
    const out = pieces('const s = "return if"; /* for while */');
    expect(out).toEqual([
      "keyword:const",
      " s = ",
      'string:"return if"',
      "; ",
      "comment:/* for while */",
    ]);
  });
});
