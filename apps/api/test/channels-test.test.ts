import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { startSmtpReceiver, type SmtpReceiver } from "@vigil/channels/testing";
import type { ApiError, ChannelTestResponse } from "@vigil/contracts";
import { insertProject } from "@vigil/db/testing";
import { afterAll, beforeAll, describe, expect } from "vitest";

import type { ChannelTestSettings } from "../src/deps.js";
import { apiTest, startTestApi, type TestApi } from "./helpers.js";

let smtp: SmtpReceiver;
let hookUrl: string;
const hookBodies: string[] = [];
const hook = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    hookBodies.push(Buffer.concat(chunks).toString("utf8"));
    res.writeHead(req.url === "/gone" ? 410 : 202).end("accepted");
  });
});

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await smtp.close();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
});

function settings(allowPrivateNetworks: boolean): ChannelTestSettings {
  return {
    env: {
      VIGIL_SECRET_HOOK: `${hookUrl}/hook`,
      VIGIL_SECRET_GONE: `${hookUrl}/gone`,
    },
    reportUrl: undefined,
    signingSecret: undefined,
    allowPrivateNetworks,
    timeoutMs: 3000,
    smtp: {
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: smtp.port,
      SMTP_SECURE: false,
      SMTP_STARTTLS: "never",
      SMTP_FROM: "vigil@example.com",
      SMTP_PASSWORD: "never-shown-password",
    },
  };
}

const channels: Array<Record<string, string | string[]>> = [
  {
    name: "mail",
    kind: "email",
    to: ["ops@example.com"],
    subject_prefix: "[t]",
  },
  { name: "hook", kind: "webhook", url_env: "VIGIL_SECRET_HOOK" },
];

describe("POST /channels/test against a real listening API", () => {
  apiTest(
    "sends to a project's email and webhook channels and answers what the receiver answered",
    async ({ db, dbHandle }) => {
      const api: TestApi = await startTestApi(dbHandle, {
        channels: settings(true),
      });
      try {
        const project = await insertProject(db, {
          config: { data_source: { type: "manual" }, channels },
        });
        const mail = await api.call("POST", "/channels/test", {
          body: { project_id: project.id, channel: "mail" },
        });
        expect(mail.status).toBe(200);
        expect(mail.json).toMatchObject({
          channel: { name: "mail", kind: "email" },
          delivered: true,
          status_code: 250,
          error: null,
        });
        expect((mail.json as ChannelTestResponse).response).toContain(
          "queued as test-1",
        );
        expect(smtp.mails.at(-1)?.raw).toContain("[t] Vigil test message");
        expect(mail.text).not.toContain("never-shown-password");

        const webhook = await api.call("POST", "/channels/test", {
          body: { project_id: project.id, channel: "hook" },
        });
        expect(webhook.json).toMatchObject({
          channel: { name: "hook", kind: "webhook" },
          delivered: true,
          status_code: 202,
        });
        expect(JSON.parse(hookBodies.at(-1) ?? "{}")).toMatchObject({
          test: true,
        });

        const refused = await api.call("POST", "/channels/test", {
          body: {
            channel: {
              name: "gone",
              kind: "slack",
              url_env: "VIGIL_SECRET_GONE",
            },
          },
        });
        expect(refused.json).toMatchObject({
          delivered: false,
          status_code: 410,
          permanent: false,
        });
      } finally {
        await api.server.close({ graceMs: 500 });
      }
    },
  );

  apiTest(
    "a private address is refused naming REPORT_ALLOW_PRIVATE_NETWORKS; bad input is an error naming the field",
    async ({ db, dbHandle }) => {
      const api = await startTestApi(dbHandle, { channels: settings(false) });
      try {
        const project = await insertProject(db, {
          config: { data_source: { type: "manual" }, channels },
        });
        const res = await api.call("POST", "/channels/test", {
          body: { project_id: project.id, channel: "hook" },
        });
        expect(res.status).toBe(200);
        expect(res.json).toMatchObject({ delivered: false, permanent: true });
        const { error } = res.json as ChannelTestResponse;
        expect(error).toContain("REPORT_ALLOW_PRIVATE_NETWORKS");
        expect(error).not.toContain("/hook");

        const unknown = await api.call("POST", "/channels/test", {
          body: { project_id: project.id, channel: "nope" },
        });
        expect(unknown.status).toBe(422);
        expect((unknown.json as ApiError).error.message).toContain("channel");

        const bad = await api.call("POST", "/channels/test", {
          body: {
            channel: { name: "m", kind: "email", to: ["not-an-address"] },
          },
        });
        expect(bad.status).toBe(422);
        expect(JSON.stringify((bad.json as ApiError).error.details)).toContain(
          "channel.to",
        );

        const anonymous = await api.call("POST", "/channels/test", {
          token: null,
          body: { project_id: project.id, channel: "hook" },
        });
        expect(anonymous.status).toBe(401);

        const missing = await api.call("POST", "/channels/test", {
          body: { project_id: "no-such-project", channel: "hook" },
        });
        expect(missing.status).toBe(404);
      } finally {
        await api.server.close({ graceMs: 500 });
      }
    },
  );
});
