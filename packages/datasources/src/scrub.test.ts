import { describe, expect, it } from "vitest";

import { serializeRow } from "./ndjson-writer.js";
import { scrubSecrets } from "./scrub.js";

describe("scrubSecrets", () => {
  it("removes secret values, their URL-encoded form and the password inside a connection URL", () => {
    const url = "postgres://app:p%40ss-w0rd!@db.internal:5432/orders";
    const message = `failed: ${url} / p@ss-w0rd! / p%40ss-w0rd! / token abc123 / tok%2Fen`;
    expect(scrubSecrets(message, [url, "abc123", "tok/en"])).toBe(
      "failed: *** / *** / *** / token *** / ***",
    );
  });

  it("ignores secrets too short to scrub without mangling the message", () => {
    expect(scrubSecrets("a b c", ["a", ""])).toBe("a b c");
  });
});

describe("serializeRow", () => {
  it("writes bigints as numbers when safe and as strings otherwise, buffers as base64 and dates as ISO", () => {
    const row = {
      small: 5n,
      huge: 2n ** 63n,
      buf: Buffer.from([1, 2]),
      at: new Date("2026-11-22T10:00:00Z"),
      nested: { n: 1n },
    };
    expect(JSON.parse(serializeRow(row))).toEqual({
      small: 5,
      huge: "9223372036854775808",
      buf: "AQI=",
      at: "2026-11-22T10:00:00.000Z",
      nested: { n: 1 },
    });
  });

  it("takes the replacer for a bigint or Buffer only inside an array, and for a bigint deeper down", () => {
    expect(serializeRow({ list: [Buffer.from([1]), 2n] })).toBe(
      '{"list":["AQ==",2]}',
    );
    expect(serializeRow({ doc: { n: 2n ** 64n } })).toBe(
      '{"doc":{"n":"18446744073709551616"}}',
    );
    expect(serializeRow({ plain: 1, at: new Date(0) })).toBe(
      '{"plain":1,"at":"1970-01-01T00:00:00.000Z"}',
    );
  });
});
