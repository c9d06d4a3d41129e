import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, expect } from "vitest";

import { dbTest } from "@vigil/db/testing";

import {
  createProject,
  explain,
  runProject,
  sharedExecutor,
} from "./fixtures/hostile/harness.js";
import { killStartedExecutors } from "./helpers.js";

// The report switch opens report and alert URLs only: an HTTP data source on loopback, a
// private or the metadata address stays refused, and the refusal names the switch that is
// missing, DATASOURCE_ALLOW_PRIVATE_NETWORKS.
afterAll(killStartedExecutors);

let server: Server;
let port: number;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify([{ id: 1 }]));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const rule = {
  ruleId: "count",
  code: `export function detect(rows) { return [{ key: "rows", message: String(rows.length) }]; }`,
};

dbTest(
  "with only REPORT_ALLOW_PRIVATE_NETWORKS on, HTTP sources on private addresses are refused, naming DATASOURCE_ALLOW_PRIVATE_NETWORKS",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url, {
      REPORT_ALLOW_PRIVATE_NETWORKS: "true",
    });
    for (const url of [
      `http://127.0.0.1:${port}/rows`,
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.1/rows",
    ]) {
      const projectId = await createProject(db, [rule], {
        data_source: {
          type: "http",
          url,
          allow_private_network: true,
          timeout_seconds: 3,
        },
      });
      const run = await runProject(db, testDatabase.url, projectId);
      expect(run.execution.status, explain(run, executor)).toBe("failed");
      expect(run.execution.error_message).toMatch(
        /private networks are not allowed \(set DATASOURCE_ALLOW_PRIVATE_NETWORKS=true on the executor/,
      );
    }
    expect(requests).toEqual([]);
    expect(executor.child.exitCode).toBeNull();
  },
  90_000,
);
