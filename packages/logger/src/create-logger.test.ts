import { describe, expect, it } from "vitest";

import { createLogger, type LogLevel } from "./create-logger.js";
import { registerSecrets } from "./secret-registry.js";

const DB_PASSWORD = "db-pa55word-zq81";
const DATABASE_URL = `postgres://vigil:${DB_PASSWORD}@db.internal:5432/vigil`;
const API_TOKEN = "api-token-9f8e7d6c5b4a3210";
const SIGNING_SECRET = 'signing"secret\\with-quotes';
const BEARER_TOKEN = "eyJhbGciOi.unregistered-bearer";

/** A logger writing into an array, one parsed JSON object per line. */
function captureLogger(level: LogLevel = "trace") {
  const raw: string[] = [];
  const logger = createLogger({
    level,
    name: "test",
    destination: { write: (line: string) => raw.push(line) },
  });
  const lines = () =>
    raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, raw, lines };
}

registerSecrets([API_TOKEN, SIGNING_SECRET]);

function expectNoSecret(raw: string[]) {
  const text = raw.join("");
  for (const secret of [DB_PASSWORD, API_TOKEN, "with-quotes", BEARER_TOKEN]) {
    expect(text).not.toContain(secret);
  }
}

describe("createLogger", () => {
  it("writes JSON lines with level name, time, name and component", () => {
    const { logger, lines } = captureLogger("info");
    logger.child({ component: "claim-loop" }).info({ triggerId: 7 }, "claimed");
    logger.debug("not written below the level");
    expect(lines()).toEqual([
      expect.objectContaining({
        level: "info",
        name: "test",
        component: "claim-loop",
        triggerId: 7,
        msg: "claimed",
        pid: process.pid,
      }),
    ]);
    expect(lines()[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("never shows a DATABASE_URL password, in the message or in a field", () => {
    const { logger, raw, lines } = captureLogger();
    logger.info(
      { databaseUrl: DATABASE_URL, nested: { deeper: { url: DATABASE_URL } } },
      `connecting to ${DATABASE_URL}`,
    );
    expectNoSecret(raw);
    expect(lines()[0]).toMatchObject({
      msg: "connecting to postgres://vigil:***@db.internal:5432/vigil",
    });
  });

  it("never shows a registered API token or signing secret, even JSON-escaped", () => {
    const { logger, raw, lines } = captureLogger();
    logger.warn(
      {
        body: `token ${API_TOKEN} rejected`,
        tokens: [API_TOKEN],
        config: { s: SIGNING_SECRET },
      },
      `bad ${API_TOKEN}`,
    );
    expectNoSecret(raw);
    expect(lines()[0]).toMatchObject({
      msg: "bad ***",
      body: "token *** rejected",
      config: { s: "***" },
    });
  });

  it("never shows an Authorization header, structured or in text", () => {
    const { logger, raw, lines } = captureLogger();
    const headers = {
      authorization: `Bearer ${BEARER_TOKEN}`,
      Cookie: "session=abcdef123456",
    };
    logger.info(
      { req: { method: "POST", headers }, headers },
      `header was Authorization: Bearer ${BEARER_TOKEN}`,
    );
    expectNoSecret(raw);
    expect(lines()[0]).toMatchObject({
      req: { method: "POST", headers: { authorization: "***", Cookie: "***" } },
      headers: { authorization: "***" },
      msg: "header was Authorization: Bearer ***",
    });
  });

  it("never shows secrets inside an error's message or stack", () => {
    const { logger, raw, lines } = captureLogger();
    const err = new Error(
      `connect failed for ${DATABASE_URL} with Bearer ${BEARER_TOKEN}\nand ${API_TOKEN}`,
    );
    logger.error({ err }, "claim loop failed");
    logger.error(err);
    expectNoSecret(raw);
    const [first, second] = lines();
    expect(first?.err).toMatchObject({
      message: expect.stringContaining("postgres://vigil:***@db.internal"),
    });
    expect((first?.err as { stack: string }).stack).toContain(
      "Bearer ***\nand ***",
    );
    expect(second?.msg).toContain("vigil:***@");
  });

  it("censors secret-named fields at any depth", () => {
    const { logger, raw, lines } = captureLogger();
    logger.info(
      {
        a: {
          b: {
            c: { apiToken: "deep-value-123456", password: "deep-password-1" },
          },
        },
      },
      "deep",
    );
    expect(raw.join("")).not.toMatch(/deep-value|deep-password/);
    expect(lines()[0]).toMatchObject({
      a: { b: { c: { apiToken: "***", password: "***" } } },
    });
  });

  it("keeps every line valid JSON when a secret follows an escape", () => {
    registerSecrets(["nabcdefgh-starts-with-n"]);
    const { logger, lines } = captureLogger();
    logger.info(
      "line one\nabcdefgh-starts-with-n is not the secret, nabcdefgh-starts-with-n is",
    );
    expect(lines()[0]?.msg).toBe(
      "line one\nabcdefgh-starts-with-n is not the secret, *** is",
    );
  });
});
