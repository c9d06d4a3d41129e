import { describe, expect, it } from "vitest";
import { z } from "zod";

import { tryParseEnv } from "../parse-env.js";
import { envBoolean } from "./boolean.js";
import { envByteSize } from "./byte-size.js";
import { envInteger } from "./integer.js";
import { envIntegerMap } from "./integer-map.js";
import { envList } from "./list.js";
import { envHttpUrl, envPostgresUrl } from "./url.js";

function parseOne(schema: z.ZodType, value: string) {
  const result = tryParseEnv(z.object({ V: schema }), { V: value });
  return result.ok
    ? { value: result.config.V }
    : { problem: result.problems[0]?.reason };
}

describe("env kinds", () => {
  it("reads true/false, 1/0 and yes/no in any case as booleans", () => {
    for (const [text, value] of [
      ["true", true],
      ["YES", true],
      ["1", true],
      ["False", false],
      ["no", false],
      ["0", false],
    ] as const) {
      expect(parseOne(envBoolean(), text)).toEqual({ value });
    }
  });

  it("rejects other boolean words instead of treating them as true", () => {
    expect(parseOne(envBoolean(), "off")).toEqual({
      problem: "expected one of true, false, 1, 0, yes, no",
    });
  });

  it("accepts only plain decimal integers within bounds", () => {
    const schema = envInteger({ min: 1, max: 10 });
    expect(parseOne(schema, " 7 ")).toEqual({ value: 7 });
    expect(parseOne(schema, "1e1")).toEqual({
      problem: "expected an integer between 1 and 10, got a non-number",
    });
    expect(parseOne(schema, "11")).toEqual({
      problem:
        "expected an integer between 1 and 10, got a number above the maximum",
    });
    expect(parseOne(envInteger({ min: 0 }), "99999999999999999999")).toEqual({
      problem: "expected an integer >= 0, got a number too large to represent",
    });
  });

  it("splits a comma list, trimming entries and dropping empty ones", () => {
    expect(parseOne(envList(), " a, b ,,c, ")).toEqual({
      value: ["a", "b", "c"],
    });
  });

  it("reports a bad list entry by position, not by value", () => {
    const schema = envList({
      checkEntry: (e) => (e.length < 5 ? "too short" : undefined),
    });
    expect(parseOne(schema, "long-enough,tiny")).toEqual({
      problem: "entry 2: too short",
    });
  });

  it("parses sizes in express's units into bytes", () => {
    expect(parseOne(envByteSize(), "1mb")).toEqual({ value: 1_048_576 });
    expect(parseOne(envByteSize(), "512KB")).toEqual({ value: 524_288 });
    expect(parseOne(envByteSize(), "2048")).toEqual({ value: 2048 });
    expect(parseOne(envByteSize(), "lots")).toEqual({
      problem: "expected a size like 512kb, 1mb or a number of bytes",
    });
  });

  it("accepts postgres and postgresql URLs and nothing else for the database", () => {
    expect(parseOne(envPostgresUrl(), "postgresql://u:p@h/db")).toEqual({
      value: "postgresql://u:p@h/db",
    });
    expect(parseOne(envPostgresUrl(), "https://h/db")).toEqual({
      problem: "expected a URL starting with postgres:// or postgresql://",
    });
    expect(parseOne(envHttpUrl(), "not a url")).toEqual({
      problem: "expected a URL starting with http:// or https://",
    });
  });

  it("reads name=integer pairs, and names a bad pair by position and what is wrong", () => {
    const schema = envIntegerMap({
      min: 1,
      max: 100,
      keyPattern: /^[a-z]+$/,
      keyHint: "lowercase letters",
    });
    expect(parseOne(schema, " finance=4, ops = 2 ,")).toEqual({
      value: { finance: 4, ops: 2 },
    });
    expect(parseOne(schema, " , ")).toEqual({ value: {} });
    expect(parseOne(schema, "finance=4,ops")).toEqual({
      problem: "entry 2: expected name=integer",
    });
    expect(parseOne(schema, "Finance=4")).toEqual({
      problem: "entry 1: the name must be lowercase letters",
    });
    expect(parseOne(schema, "ops=0")).toEqual({
      problem:
        "entry 1: ops: expected an integer between 1 and 100, got a number below the minimum",
    });
    expect(parseOne(schema, "ops=1,ops=2")).toEqual({
      problem: "entry 2: ops is given twice",
    });
  });
});
