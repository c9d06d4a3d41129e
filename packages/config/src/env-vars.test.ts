import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

import { describe, expect, it } from "vitest";
import { z } from "zod";

import { collectSecretValues } from "./collect-secrets.js";
import {
  appEnvTableStart,
  ENV_TABLE_START,
  envVarsOfApp,
  renderEnvTable,
  replaceEnvTable,
} from "./env-table.js";
import { ENV_VARS } from "./env-vars.js";
import { APP_NAMES, ENV_FRAGMENTS } from "./fragments/index.js";
import { tryParseEnv } from "./parse-env.js";

function schemaOf(name: string): z.ZodType {
  for (const { shape } of Object.values(ENV_FRAGMENTS)) {
    const schema = (shape as Record<string, z.ZodType>)[name];
    if (schema !== undefined) {
      return schema;
    }
  }
  throw new Error(`no fragment defines ${name}`);
}

function parseAlone(name: string, env: Record<string, string>): unknown {
  const result = tryParseEnv(z.object({ [name]: schemaOf(name) }), env);
  if (!result.ok) {
    throw new Error(
      `${name}: ${result.problems.map((p) => p.reason).join("; ")}`,
    );
  }
  return (result.config as Record<string, unknown>)[name];
}

describe("ENV_VARS", () => {
  it("documents exactly the variables the fragments define", () => {
    const defined = new Set(
      Object.values(ENV_FRAGMENTS).flatMap(({ shape }) => Object.keys(shape)),
    );
    expect(new Set(ENV_VARS.map((v) => v.name))).toEqual(defined);
  });

  it("states each default as a value that parses to the real default", () => {
    for (const variable of ENV_VARS.filter((v) => v.default !== undefined)) {
      expect(
        parseAlone(variable.name, { [variable.name]: variable.default ?? "" }),
        variable.name,
      ).toEqual(parseAlone(variable.name, {}));
    }
  });

  it("leaves variables without a stated default unset, except the computed one", () => {
    const withoutDefault = ENV_VARS.filter(
      (v) =>
        v.default === undefined &&
        v.computedDefault === undefined &&
        v.required !== true,
    );
    for (const variable of withoutDefault) {
      expect(parseAlone(variable.name, {}), variable.name).toBeUndefined();
    }
    expect(parseAlone("EXECUTOR_CONCURRENCY", {})).toBe(availableParallelism());
  });

  it("lists a variable shared by two fragments with the apps of both", () => {
    const poll = ENV_VARS.find((v) => v.name === "POLL_INTERVAL_MS");
    expect(poll?.apps).toEqual(["executor", "trigger-creator"]);
  });
});

describe("the README env table", () => {
  it("matches ENV_VARS (regenerate with npm run env-table -w @vigil/config)", () => {
    const readme = readFileSync(
      new URL("../README.md", import.meta.url),
      "utf8",
    );
    expect(replaceEnvTable(readme)).toBe(readme);
    expect(readme).toContain(renderEnvTable());
  });

  it("matches ENV_VARS in the repository README", () => {
    const readme = readFileSync(
      new URL("../../../README.md", import.meta.url),
      "utf8",
    );
    expect(readme).toContain(ENV_TABLE_START);
    expect(replaceEnvTable(readme)).toBe(readme);
  });

  it.each(APP_NAMES)(
    "lists exactly the variables %s reads in its README",
    (app) => {
      const readme = readFileSync(
        new URL(`../../../apps/${app}/README.md`, import.meta.url),
        "utf8",
      );
      expect(readme).toContain(appEnvTableStart(app));
      expect(replaceEnvTable(readme)).toBe(readme);
      expect(readme).toContain(renderEnvTable(envVarsOfApp(app)));
    },
  );

  it("renders one app's variables only, in ENV_VARS order", () => {
    const names = envVarsOfApp("cleaner").map((variable) => variable.name);
    expect(names).toContain("CLEANER_INTERVAL_SECONDS");
    expect(names).not.toContain("API_TOKENS");
    const order = ENV_VARS.map((variable) => variable.name).filter((name) =>
      names.includes(name),
    );
    expect(names).toEqual(order);
  });

  it("leaves a document without markers alone", () => {
    expect(replaceEnvTable("# no table here\n")).toBeUndefined();
  });
});

describe("collectSecretValues", () => {
  it("returns the tokens, the signing secret and the report URL, but not the database password", () => {
    const secrets = collectSecretValues({
      DATABASE_URL: "postgres://vigil:p%40ss-word@db/vigil",
      API_TOKENS: ["token-aaaaaaaaaaaaaaaa", "token-bbbbbbbbbbbbbbbb"],
      REPORT_SIGNING_SECRET: "signing-secret-0123456789",
      REPORT_URL: "https://hooks.example.com/T000/B000/XXXX",
      LOG_LEVEL: "info",
    });
    expect(secrets.sort()).toEqual(
      [
        "token-aaaaaaaaaaaaaaaa",
        "token-bbbbbbbbbbbbbbbb",
        "signing-secret-0123456789",
        "https://hooks.example.com/T000/B000/XXXX",
      ].sort(),
    );
  });
});
