import { dbTest } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { startTestApi, TOKEN } from "./helpers.js";

const preview = {
  cron_expression: "30 2 * * *",
  timezone: "Europe/Berlin",
  after: "2026-03-28T00:00:00Z",
  count: 2,
};

// POST /cron/preview computes fire times and changes nothing: it needs read access only,
// whatever its method.
describe("POST /cron/preview is a read", () => {
  dbTest(
    "answers without a token while reads are open, and a read-only token when they are not",
    async ({ dbHandle }) => {
      const open = await startTestApi(dbHandle);
      const closed = await startTestApi(dbHandle, { readTokenRequired: true });
      try {
        const anonymous = await open.call("POST", "/cron/preview", {
          body: preview,
          token: null,
        });
        expect(anonymous.status, anonymous.text).toBe(200);
        expect(
          (anonymous.json as { fire_times: unknown[] }).fire_times,
        ).toHaveLength(2);

        const refused = await closed.call("POST", "/cron/preview", {
          body: preview,
          token: null,
        });
        expect(refused.status).toBe(401);
        expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
        const made = await closed.call("POST", "/tokens", {
          body: { name: "preview-reader", scopes: ["read"] },
          token: TOKEN,
        });
        expect(made.status, made.text).toBe(201);
        const reader = (made.json as { token: string }).token;
        const allowed = await closed.call("POST", "/cron/preview", {
          body: preview,
          token: reader,
        });
        expect(allowed.status, allowed.text).toBe(200);
        // the same token may not write: the preview passed on read access alone
        const write = await closed.call("POST", "/projects/refresh", {
          token: reader,
        });
        expect(write.status).toBe(403);
      } finally {
        await open.server.close({ graceMs: 500 });
        await closed.server.close({ graceMs: 500 });
      }
    },
  );
});
