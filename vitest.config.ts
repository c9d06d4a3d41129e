import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

/**
 * One vitest run for the whole monorepo, so that one embedded PostgreSQL serves every
 * test file (the global setup starts it once and migrates a template database).
 * Packages are read from source through the "@vigil/source" export condition; apps
 * that tests spawn as processes run from dist, which `npm test` builds first.
 */
const conditions: string[] = [
  "@vigil/source",
  ...(defaultServerConditions as readonly string[]),
];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@vigil/source"] } },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "apps/*/src/**/*.test.ts",
      "apps/*/test/**/*.test.ts",
      "deploy/test/**/*.test.ts",
    ],
    globalSetup: ["./packages/db/src/testing/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // CI reads a closing "N passed, N failed" line that .ci/run prints from this file
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: ".vitest-results.json" }]]
      : ["default"],
  },
});
