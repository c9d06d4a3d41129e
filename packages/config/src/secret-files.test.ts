import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";
import { z } from "zod";

import { ENV_VARS } from "./env-vars.js";
import { ENV_FRAGMENTS, type AppName } from "./fragments/index.js";
import { tryParseEnv } from "./parse-env.js";

const DATABASE_URL = "postgres://vigil:file-secret@db.internal:5432/vigil";

/** A valid value of each secret variable; a new secret without one fails the first test. */
const SAMPLES: Record<string, string> = {
  DATABASE_URL,
  DATABASE_READ_URL:
    "postgres://reader:file-secret@replica.internal:5432/vigil",
  API_TOKENS: "file-token-aaaaaaaaaaaa,file-token-bbbbbbbbbbbb",
  REPORT_URL: "https://hooks.example.com/T000/B000/file-secret",
  REPORT_SIGNING_SECRET: "signing-secret-from-a-file-0123",
  SMTP_URL: "smtp://vigil:file-secret@mail.internal:587",
  SMTP_PASSWORD: "smtp-password-from-a-file",
};

/** The schema an app parses: every fragment meant for it (as its config.ts spreads them). */
function appSchema(app: AppName) {
  const shapes = Object.values(ENV_FRAGMENTS)
    .filter((f) => (f.apps as readonly AppName[]).includes(app))
    .map((f) => f.shape);
  return z.object(Object.assign({}, ...shapes) as z.ZodRawShape);
}

const SECRETS = ENV_VARS.filter((v) => v.secret !== undefined);
const CASES = SECRETS.flatMap((v) =>
  v.apps.map((app) => [v.name, app] as const),
);

describe("every secret variable also works as NAME_FILE", () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-secret-files-"));

  it("has a sample value for every secret variable of ENV_VARS", () => {
    expect(SECRETS.map((v) => v.name).sort()).toEqual(
      Object.keys(SAMPLES).sort(),
    );
    expect(CASES.length).toBeGreaterThan(SECRETS.length);
  });

  it.each(CASES)(
    "%s_FILE in %s gives the config the variable itself gives",
    (name, app) => {
      const value = SAMPLES[name] ?? "";
      const file = join(dir, `${name}-${app}`);
      writeFileSync(file, `${value}\n`);
      const base: Record<string, string> =
        name === "DATABASE_URL" ? {} : { DATABASE_URL };
      const schema = appSchema(app);
      const direct = tryParseEnv(schema, { ...base, [name]: value });
      const fromFile = tryParseEnv(schema, {
        ...base,
        [`${name}_FILE`]: file,
      });
      expect(direct.ok, JSON.stringify(direct)).toBe(true);
      expect(fromFile).toEqual(direct);
      const config = fromFile.ok
        ? (fromFile.config as Record<string, unknown>)
        : {};
      expect(config[name]).toBeDefined();
      expect(config[`${name}_FILE`]).toBeUndefined();
    },
  );
});
