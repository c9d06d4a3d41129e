import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { createDb } from "@vigil/db";
import { findFreePort } from "@vigil/db/embedded";
import { createTestDatabase, waitFor } from "@vigil/db/testing";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";

import { APP_PORTS } from "./app-ports.js";
import {
  type ComposeService,
  interpolate,
  readComposeFile,
  serviceEnvironment,
} from "./compose-file.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const compose = readComposeFile(path.join(ROOT, "docker-compose.yml"));
const service = (name: string): ComposeService => {
  const s = compose.services[name];
  if (!s) {
    throw new Error(`docker-compose.yml has no service ${name}`);
  }
  return s;
};
const TOKEN = "compose-test-token-0123456789abcdef";

/** `executions.sandbox` of the project's latest successful run. */
async function sandboxOfLatestExecution(
  databaseUrl: string,
  projectId: string,
): Promise<Record<string, boolean> | null> {
  const db = createDb({ connectionString: databaseUrl, max: 1 });
  try {
    const row = await db.db
      .selectFrom("executions")
      .select("sandbox")
      .where("project_id", "=", projectId)
      .where("status", "=", "success")
      .orderBy("id", "desc")
      .executeTakeFirst();
    return row?.sandbox ?? null;
  } finally {
    await db.close();
  }
}
const LONG_RUNNING = ["api", "trigger-creator", "executor", "cleaner"] as const;
const EXECUTOR_CAPS = [
  "SYS_ADMIN",
  "SETUID",
  "SETGID",
  "CHOWN",
  "FOWNER",
  "DAC_OVERRIDE",
  "KILL",
];

describe("docker-compose.yml", () => {
  test("substitutes like compose and refuses to run without API_TOKENS", () => {
    expect(interpolate("${A:-x}-${B-y}-$$-${C}", { A: "", B: "" })).toBe(
      "x--$-",
    );
    const api = service("api");
    expect(() => serviceEnvironment(api, {})).toThrow(
      "API_TOKENS: set API_TOKENS to a long random token",
    );
    expect(() => serviceEnvironment(api, { API_TOKENS: "" })).toThrow(
      /API_TOKENS/,
    );
    expect(serviceEnvironment(api, { API_TOKENS: TOKEN }).API_TOKENS).toBe(
      TOKEN,
    );
  });

  test("reads need a token unless the operator opens them", () => {
    const api = service("api");
    expect(
      serviceEnvironment(api, { API_TOKENS: TOKEN }).API_READ_TOKEN_REQUIRED,
    ).toBe("true");
    expect(
      serviceEnvironment(api, {
        API_TOKENS: TOKEN,
        API_READ_TOKEN_REQUIRED: "false",
      }).API_READ_TOKEN_REQUIRED,
    ).toBe("false");
  });

  test("deploy/check-compose.sh: valid for docker-compose with a token, refused without", async () => {
    const { stdout } = await promisify(execFile)(
      path.join(ROOT, "deploy/check-compose.sh"),
      { env: { PATH: process.env.PATH } },
    );
    expect(stdout).toContain("valid with API_TOKENS set (profile apply)");
    expect(stdout).toContain("refused without API_TOKENS");
  }, 60_000);

  test("publishes only the API, on 127.0.0.1 unless VIGIL_BIND says otherwise", () => {
    const [port] = service("api").ports!;
    expect(interpolate(port!, {})).toBe("127.0.0.1:8080:8080");
    expect(interpolate(port!, { VIGIL_BIND: "0.0.0.0" })).toBe(
      "0.0.0.0:8080:8080",
    );
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.container_name, name).toBeUndefined();
      if (name !== "api") {
        expect(s.ports, name).toBeUndefined();
      }
    }
  });

  test("every app has a healthcheck on its own port; secrets go only where used", () => {
    for (const name of LONG_RUNNING) {
      const s = service(name);
      expect(s.healthcheck?.test, name).toEqual([
        "CMD",
        "node",
        "deploy/healthcheck.mjs",
      ]);
      const env = serviceEnvironment(s, { API_TOKENS: TOKEN });
      const { variable, port } = APP_PORTS[name];
      expect(env[variable], name).toBe(String(port));
      expect("API_TOKENS" in env, name).toBe(name === "api");
      expect(
        Object.keys(env).some((k) => k.startsWith("REPORT_")),
        name,
      ).toBe(name === "executor");
    }
  });

  test("only the executor runs as root, with the listed capabilities; the rest have none", () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (name === "postgres") {
        continue;
      }
      expect(s.cap_drop, name).toEqual(["ALL"]);
      expect(s.security_opt, name).toContain("no-new-privileges:true");
      if (name === "executor") {
        expect(s.user).toBe("root");
        expect([...s.cap_add!].sort()).toEqual([...EXECUTOR_CAPS].sort());
        expect(s.security_opt).toContain("apparmor=unconfined");
      } else {
        expect(s.user, name).toBe("node");
        expect(s.cap_add, name).toBeUndefined();
        expect(s.read_only, name).toBe(true);
      }
    }
  });
});

/**
 * The compose file's app services run as local processes, each with its own `command` and
 * `environment` substituted as compose would; only what must differ on one machine is
 * replaced: the database (this file's test database), ports (free ones) and WORK_DIR.
 */
describe("docker-compose.yml's services as local processes", () => {
  const children: { name: string; child: ChildProcess }[] = [];
  let output = "";
  let databaseUrl: string;
  let workDir: string;
  const ports: Record<string, number> = {};

  function environmentOf(name: string): Record<string, string> {
    const env = serviceEnvironment(service(name), { API_TOKENS: TOKEN });
    for (const key of ["DATABASE_URL", "VIGIL_SECRET_DEMO_DB_URL"]) {
      if (key in env) {
        env[key] = databaseUrl;
      }
    }
    if (env.PORT) {
      env.PORT = String(ports[name]);
    }
    if (env.METRICS_PORT) {
      env.METRICS_PORT = String(ports[name]);
    }
    if (env.WORK_DIR) {
      env.WORK_DIR = workDir;
    }
    return { PATH: process.env.PATH ?? "", ...env, POLL_INTERVAL_MS: "500" };
  }

  function start(name: string): ChildProcess {
    const [node, ...args] = service(name).command!.map((part) =>
      interpolate(part, {}),
    );
    expect(node).toBe("node");
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: environmentOf(name),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log = (b: Buffer) => (output += `[${name}] ${b.toString()}`);
    child.stdout?.on("data", log);
    child.stderr?.on("data", log);
    children.push({ name, child });
    return child;
  }

  async function runToEnd(name: string): Promise<number | null> {
    const child = start(name);
    return new Promise((resolve) => child.once("exit", resolve));
  }

  beforeAll(async () => {
    const database = await createTestDatabase(
      inject("databaseUrl"),
      inject("templateDatabase"),
      "compose",
    );
    databaseUrl = database.url;
    workDir = await mkdtemp(path.join(os.tmpdir(), "vigil-compose-"));
    // detectors run as another uid, which must be able to enter WORK_DIR (mkdtemp makes 0700)
    await chmod(workDir, 0o755);
    for (const name of LONG_RUNNING) {
      ports[name] = await findFreePort();
    }
  });

  afterAll(async () => {
    await Promise.all(
      children
        .filter(({ child }) => child.exitCode === null && !child.signalCode)
        .map(({ child }) => {
          child.kill("SIGTERM");
          return new Promise((r) => child.once("exit", r));
        }),
    );
    await rm(workDir, { recursive: true, force: true });
  }, 90_000);

  test("migrate and seed-demo, then the four apps run the demo; the API answers /health and /ready", async () => {
    expect(await runToEnd("migrate"), output).toBe(0);
    expect(await runToEnd("seed-demo"), output).toBe(0);
    for (const name of LONG_RUNNING) {
      start(name);
    }
    const api = `http://127.0.0.1:${ports.api}`;
    await waitFor(() => fetch(`${api}/ready`).then((r) => r.ok), {
      timeoutMs: 30_000,
      message: `the API to be ready; the apps said:\n${output.slice(-3000)}`,
    });
    // reads are closed in this file's deployment
    const anonymous = await fetch(`${api}/projects/demo-orders/executions`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
    // a run now rather than at the demo's next 15 s tick: also proves the token works
    const triggered = await fetch(`${api}/projects/demo-orders/trigger`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(triggered.status, await triggered.clone().text()).toBeLessThan(300);

    type Executions = {
      items: { status: string; findings_count: number }[];
    };
    const success = await waitFor(
      async () => {
        const res = await fetch(
          `${api}/projects/demo-orders/executions?status=success`,
          { headers: { authorization: `Bearer ${TOKEN}` } },
        );
        const body = (await res.json()) as Executions;
        return body.items[0];
      },
      {
        timeoutMs: 45_000,
        message: `a successful demo execution; the apps said:\n${output.slice(-4000)}`,
      },
    );
    // the demo plants four mismatches (README: 1007, 1019, 1012, 1015)
    expect(success.findings_count).toBe(4);

    // every sandbox layer the compose executor requires held for that run, under its settings
    const required =
      environmentOf("executor").SANDBOX_REQUIRE?.split(",") ?? [];
    expect(required.length).toBeGreaterThan(0);
    const attested = await sandboxOfLatestExecution(databaseUrl, "demo-orders");
    expect(attested, output.slice(-3000)).not.toBeNull();
    for (const layer of required) {
      expect(attested?.[layer.trim()], layer).toBe(true);
    }

    const health = await fetch(`${api}/health`);
    expect(health.status, "api /health").toBe(200);
    expect((await fetch(`${api}/ready`)).status, "api /ready").toBe(200);
    for (const { name, child } of children.slice(2)) {
      expect(child.exitCode, `${name} exited; output:\n${output}`).toBeNull();
    }
  }, 120_000);
});
