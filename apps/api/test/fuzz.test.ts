/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests read response bodies (typed any) freely */
import type { Db } from "@vigil/db";
import { insertProject } from "@vigil/db/testing";
import fc from "fast-check";
import { describe, expect } from "vitest";

import { apiTest as test, type TestApi, TOKEN } from "./helpers.js";

/**
 * Requests generated from the API's own OpenAPI document: every operation, its path and
 * query parameters and its JSON body drawn from their schemas, then spoiled with hostile
 * strings. Bounded by run count and time so the file stays well under 20 s.
 */
const RUNS = 250;
const TIME_LIMIT_MS = 8000;

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  params: Array<{ name: string; in: string; schema?: Schema }>;
  body?: Schema;
}

/** Strings that have made servers answer 500: undecodable escapes, NUL, lone surrogates. */
const HOSTILE = [
  "%",
  "%C0%AF",
  "%E0%A4%A",
  "%00",
  "%ED%A0%80",
  "a\u0000b",
  "\ud800",
  "x\udc00y",
  "../../etc/passwd",
  "' or 1=1 --",
  "9".repeat(40),
  "-1",
  "1e309",
  "__proto__",
  "😀".repeat(3),
  "",
];

const hostileString = fc.constantFrom(...HOSTILE);

/** Percent-encodes as a URL would carry it; a lone surrogate becomes its (invalid) CESU-8 bytes. */
function encode(value: string): string {
  return value
    .split(/([\ud800-\udfff])/)
    .map((part, i) =>
      i % 2 === 1
        ? [
            0xe0 | (part.charCodeAt(0) >> 12),
            0x80 | ((part.charCodeAt(0) >> 6) & 63),
            0x80 | (part.charCodeAt(0) & 63),
          ]
            .map((b) => `%${b.toString(16).toUpperCase()}`)
            .join("")
        : encodeURIComponent(part),
    )
    .join("");
}

/** A JSON-schema subset (what zod-to-openapi emits) as an arbitrary, `$ref`s resolved. */
function fromSchema(
  schema: Schema | undefined,
  components: Record<string, Schema>,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (schema === undefined || depth > 5) {
    return fc.jsonValue({ maxDepth: 2 });
  }
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.split("/").pop() as string;
    return fromSchema(components[name], components, depth + 1);
  }
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants !== undefined) {
    return fc.oneof(
      ...variants.map((v) => fromSchema(v, components, depth + 1)),
    );
  }
  if (schema.enum !== undefined) {
    return fc.constantFrom(...(schema.enum as unknown[]));
  }
  if (schema.const !== undefined) {
    return fc.constant(schema.const);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return fc.oneof(
        { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
        { weight: 2, arbitrary: hostileString },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            "0 * * * *",
            "UTC",
            "p1",
            "2026-01-01T00:00:00Z",
          ),
        },
      );
    case "integer":
      return fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.constant(2 ** 53));
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(
        fromSchema(schema.items as Schema, components, depth + 1),
        {
          maxLength: 3,
        },
      );
    case "object": {
      const props = Object.entries(
        (schema.properties ?? {}) as Record<string, Schema>,
      );
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of props) {
        record[key] = fromSchema(sub, components, depth + 1);
      }
      return fc
        .tuple(
          fc.record(record, {
            requiredKeys: (schema.required ?? []) as string[],
          }),
          fc.option(fc.tuple(hostileString, fc.jsonValue({ maxDepth: 1 })), {
            freq: 5,
          }),
        )
        .map(([obj, extra]) =>
          extra === null ? obj : { ...obj, [extra[0]]: extra[1] },
        );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function operationsOf(doc: any): Operation[] {
  return Object.entries(
    doc.paths as Record<string, Record<string, any>>,
  ).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      params: (op.parameters ?? []) as Operation["params"],
      body: op.requestBody?.content?.["application/json"]?.schema as
        Schema | undefined,
    })),
  );
}

interface FuzzRequest {
  op: Operation;
  path: string;
  query: string;
  body: unknown;
  auth: "token" | "none" | "wrong";
}

function requestArbitrary(
  op: Operation,
  components: Record<string, Schema>,
  ids: Record<string, string>,
): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter((p) => p.in === "path");
  const queryParams = op.params.filter((p) => p.in === "query");
  const segment = (name: string) =>
    fc.oneof(
      {
        weight: 2,
        arbitrary: fc.constant(encode(ids[name] ?? "x")),
      },
      // raw: escapes as they are, so %, %C0%AF and %00 reach the router undecoded
      {
        weight: 2,
        arbitrary: hostileString.filter((s) => s !== "" && !s.includes("/")),
      },
      {
        weight: 1,
        arbitrary: fc.string({ minLength: 1, maxLength: 12 }).map(encode),
      },
    );
  const queryValue = (schema: Schema | undefined) =>
    fromSchema(schema, components).map((v) =>
      typeof v === "string" && v.startsWith("%")
        ? v
        : encode(typeof v === "string" ? v : (JSON.stringify(v) ?? "")),
    );
  return fc.record({
    op: fc.constant(op),
    path: fc
      .tuple(...pathParams.map((p) => segment(p.name)))
      .map((values) =>
        pathParams.reduce(
          (path, p, i) => path.replace(`{${p.name}}`, values[i] as string),
          op.path,
        ),
      ),
    query: fc
      .tuple(
        ...queryParams.map((p) => fc.option(queryValue(p.schema), { freq: 2 })),
        fc.option(hostileString, { freq: 6 }),
      )
      .map((values) => {
        const pairs = queryParams.flatMap((p, i) =>
          values[i] === null ? [] : [`${p.name}=${values[i] as string}`],
        );
        const extra = values[queryParams.length];
        if (extra !== null && extra !== undefined) {
          pairs.push(`${extra}=1`);
        }
        return pairs.length === 0 ? "" : `?${pairs.join("&")}`;
      }),
    body:
      op.body === undefined
        ? fc.constant(undefined)
        : fromSchema(op.body, components),
    auth: fc.constantFrom("token", "token", "token", "token", "none", "wrong"),
  });
}

/** Every row a write could change (the tables are small in this file's database). */
async function snapshot(db: Db): Promise<string> {
  const [projects, schedules, rules, counts] = await Promise.all([
    db.selectFrom("projects").selectAll().orderBy("id").execute(),
    db.selectFrom("schedules").selectAll().orderBy("id").execute(),
    db.selectFrom("rules").selectAll().orderBy("id").execute(),
    Promise.all(
      (["triggers", "executions", "datasets", "discrepancies"] as const).map(
        (t) =>
          db
            .selectFrom(t)
            .select((eb) => eb.fn.countAll<string>().as("n"))
            .executeTakeFirstOrThrow(),
      ),
    ),
  ]);
  return JSON.stringify({ projects, schedules, rules, counts });
}

async function send(api: TestApi, r: FuzzRequest) {
  const headers: Record<string, string> = {};
  if (r.auth !== "none") {
    headers.authorization = `Bearer ${r.auth === "token" ? TOKEN : "wrong-token-xxxxxxxxxxxx"}`;
  }
  let body: string | undefined;
  if (r.body !== undefined && r.op.method !== "GET") {
    body = JSON.stringify(r.body);
    headers["content-type"] = "application/json";
  }
  const res = await fetch(api.url + r.path + r.query, {
    method: r.op.method,
    headers,
    ...(body !== undefined && { body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    text,
  };
}

async function ensureSeed(db: Db): Promise<Record<string, string>> {
  let project = await db
    .selectFrom("projects")
    .select("id")
    .where("id", "=", "fuzz")
    .executeTakeFirst();
  project ??= await insertProject(db, { id: "fuzz" });
  let schedule = await db
    .selectFrom("schedules")
    .select("id")
    .where("project_id", "=", "fuzz")
    .executeTakeFirst();
  schedule ??= await db
    .insertInto("schedules")
    .values({ project_id: "fuzz", cron_expression: "0 * * * *" })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("rules")
    .values({
      project_id: "fuzz",
      rule_id: "r1",
      code: "export const detect = () => [];",
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return { id: project.id, scheduleId: String(schedule.id), ruleId: "r1" };
}

describe("fuzzing every route from the OpenAPI document", () => {
  test("no 5xx, errors are JSON, and a rejected request changes nothing", async ({
    api,
    db,
  }) => {
    const doc = (await api.call("GET", "/openapi.json", { token: null })).json;
    const components = (doc.components?.schemas ?? {}) as Record<
      string,
      Schema
    >;
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThanOrEqual(30);
    const ids = await ensureSeed(db);
    const seen = new Map<string, Set<number>>();
    let sent = 0;
    const check = async (r: FuzzRequest) => {
      sent++;
      await ensureSeed(db);
      const before = await snapshot(db);
      const res = await send(api, r);
      const label = `${r.op.method} ${r.path}${r.query} (${r.auth}) ${JSON.stringify(r.body)?.slice(0, 200)}`;
      const key = `${r.op.method} ${r.op.path}`;
      seen.set(key, (seen.get(key) ?? new Set()).add(res.status));
      expect(res.status, label).toBeLessThan(500);
      if (res.status >= 400) {
        expect(res.type, label).toMatch(/^application\/json/);
        const parsed = JSON.parse(res.text);
        expect(typeof parsed.error.code, label).toBe("string");
        expect(typeof parsed.error.message, label).toBe("string");
        expect(await snapshot(db), `${label} changed the database`).toBe(
          before,
        );
      }
    };

    // every operation at least once with each hostile path segment and body string
    for (const op of ops) {
      for (const hostile of ["%", "%C0%AF", "%00", "a\u0000b", "\ud800"]) {
        const raw = hostile.startsWith("%") ? hostile : encode(hostile);
        const path = op.path.includes("{")
          ? op.path
              .replace(/\{(\w+)\}/, raw)
              .replace(/\{(\w+)\}/g, (_, n: string) => ids[n] ?? "x")
          : op.path;
        await check({
          op,
          path,
          query: hostile.startsWith("%") ? `?x=${hostile}` : "",
          body:
            op.body === undefined
              ? undefined
              : {
                  id: hostile,
                  name: hostile,
                  cron_expression: hostile,
                  code: hostile,
                },
          auth: "token",
        });
      }
    }

    const fixed = sent;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...ops)
          .chain((op) => requestArbitrary(op, components, ids)),
        check,
      ),
      {
        numRuns: RUNS,
        interruptAfterTimeLimit: TIME_LIMIT_MS,
        markInterruptAsFailure: false,
        seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31),
      },
    );
    const elapsed = Date.now() - started;
    const statuses = [...seen.values()].reduce((n, s) => n + s.size, 0);
    console.log(
      `RESULT fuzz: ${ops.length} operations, ${fixed} fixed + ${sent - fixed} generated requests (${elapsed} ms), ${statuses} distinct (route, status) pairs`,
    );
    expect(seen.size).toBe(ops.length);
  }, 30_000);
});
