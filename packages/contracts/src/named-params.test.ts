import { describe, expect, it } from "vitest";

import { convertNamedParameters } from "./named-params.js";

const values = { start: "S", end: "E", status: "paid" };

describe("convertNamedParameters", () => {
  it("numbers PostgreSQL parameters in order of first use and reuses a repeated name", () => {
    const q = convertNamedParameters(
      "select * from t where a >= :start and a < :end and b = :start",
      values,
      "postgres",
    );
    expect(q).toEqual({
      ok: true,
      text: "select * from t where a >= $1 and a < $2 and b = $1",
      values: ["S", "E"],
    });
  });

  it("writes a ? per occurrence for MySQL, repeating values", () => {
    const q = convertNamedParameters(
      "select * from t where a >= :start and b = :start and c = :status",
      values,
      "mysql",
    );
    expect(q).toEqual({
      ok: true,
      text: "select * from t where a >= ? and b = ? and c = ?",
      values: ["S", "S", "paid"],
    });
  });

  it("leaves ::casts, string literals, quoted identifiers, comments and dollar quotes alone in PostgreSQL", () => {
    const sql = [
      "select ':start' as s, E'it\\'s :end' as e, \"col:end\"::text, x::int,",
      "$$ :status $$ as d, $tag$ :end $tag$ as t -- :status",
      "/* outer /* :start */ :end */ from t where y = :status and arr[1:2] = '{}'",
    ].join("\n");
    const q = convertNamedParameters(sql, values, "postgres");
    expect(q.ok && q.text).toBe(sql.replace("y = :status", "y = $1"));
    expect(q.ok && q.values).toEqual(["paid"]);
  });

  it("leaves MySQL backslash-escaped strings, backticks, # comments and := assignments alone", () => {
    const sql =
      "select 'a\\' :start', `:end`, \"x :end\", @v := 1 # :status\nfrom t where d = :end";
    const q = convertNamedParameters(sql, values, "mysql");
    expect(q).toEqual({
      ok: true,
      text: sql.replace("d = :end", "d = ?"),
      values: ["E"],
    });
  });

  it("refuses a name that is not defined instead of sending it as text", () => {
    const q = convertNamedParameters("select :nope", values, "postgres");
    expect(q).toMatchObject({
      ok: false,
      message: expect.stringMatching(/:nope/) as unknown,
    });
  });

  it("is not fooled by an unterminated string or comment", () => {
    expect(
      convertNamedParameters("select ':start", values, "postgres"),
    ).toEqual({ ok: true, text: "select ':start", values: [] });
    expect(
      convertNamedParameters("select 1 /* :start", values, "mysql"),
    ).toEqual({ ok: true, text: "select 1 /* :start", values: [] });
  });
});
