import { tryParseEnv } from "@vigil/config";
import { describe, expect, it } from "vitest";

import { ExecutorEnv } from "./config.js";

const base = { DATABASE_URL: "postgres://u@127.0.0.1:5432/vigil" };

describe("ExecutorEnv", () => {
  it("fills defaults: the detector runner, 30 s leases, 10 s retry base", () => {
    const r = tryParseEnv(ExecutorEnv, base);
    expect(r.ok && r.config).toMatchObject({
      EXECUTOR_RUNNER: "detector",
      LEASE_SECONDS: 30,
      RETRY_BACKOFF_BASE_MS: 10_000,
      DETECTOR_PACKAGES: [],
    });
  });

  it("names every bad variable and never echoes a value", () => {
    const r = tryParseEnv(ExecutorEnv, {
      ...base,
      LEASE_SECONDS: "1",
      EXECUTOR_RUNNER: "sometimes-secret-value",
    });
    expect(r.ok).toBe(false);
    const text = JSON.stringify(r);
    expect(text).toContain("LEASE_SECONDS");
    expect(text).toContain("EXECUTOR_RUNNER");
    expect(text).not.toContain("sometimes-secret-value");
  });
});
