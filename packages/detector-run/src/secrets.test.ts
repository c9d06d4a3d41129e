import { mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { ENV_VARS } from "@vigil/config";

import { createSecretStore } from "./secrets.js";

async function secretsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-secrets-"));
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

describe("the executor's secret store", () => {
  it("never resolves the executor's own settings, whatever the environment holds", () => {
    const env = Object.fromEntries(
      Object.keys(ENV_VARS).map((name) => [name, "a value"]),
    );
    const store = createSecretStore({ env });
    for (const name of Object.keys(ENV_VARS)) {
      expect(name.startsWith("VIGIL_SECRET_"), name).toBe(false);
      expect(store.read(name), name).toBeUndefined();
    }
    expect(store.explainMissing("DATABASE_URL")).toMatch(
      /^DATABASE_URL is not a secret name: projects may name only VIGIL_SECRET_\*/,
    );
  });

  it("reads VIGIL_SECRET_* from the environment first, then from SECRETS_DIR with one newline trimmed", async () => {
    const dir = await secretsDir({
      VIGIL_SECRET_A: "from-file-a\n",
      VIGIL_SECRET_B: "from-file-b\r\n",
      VIGIL_SECRET_MULTI: "line1\nline2\n\n",
      VIGIL_SECRET_EMPTY: "\n",
    });
    const store = createSecretStore({
      env: { VIGIL_SECRET_A: "from-env", VIGIL_SECRET_BLANK: "" },
      secretsDir: dir,
    });
    expect(store.read("VIGIL_SECRET_A")).toBe("from-env");
    expect(store.read("VIGIL_SECRET_B")).toBe("from-file-b");
    expect(store.read("VIGIL_SECRET_MULTI")).toBe("line1\nline2\n");
    expect(store.read("VIGIL_SECRET_EMPTY")).toBeUndefined();
    expect(store.read("VIGIL_SECRET_BLANK")).toBeUndefined();
    expect(store.asEnv()["VIGIL_SECRET_B"]).toBe("from-file-b");
    expect(store.explainMissing("VIGIL_SECRET_NONE")).toBe(
      "the secret VIGIL_SECRET_NONE is not available on the executor (no non-empty environment variable VIGIL_SECRET_NONE; no non-empty file VIGIL_SECRET_NONE in SECRETS_DIR)",
    );
  });

  it("cannot be walked out of SECRETS_DIR, and skips what is not a small regular file", async () => {
    const outside = await secretsDir({ VIGIL_SECRET_OUTSIDE: "outside" });
    const dir = await secretsDir({
      VIGIL_SECRET_BIG: "x".repeat(65 * 1024),
    });
    await symlink(
      path.join(outside, "VIGIL_SECRET_OUTSIDE"),
      path.join(dir, "VIGIL_SECRET_LINK"),
    );
    const store = createSecretStore({ env: {}, secretsDir: dir });
    for (const name of [
      "../VIGIL_SECRET_OUTSIDE",
      `VIGIL_SECRET_/../../${path.basename(outside)}/VIGIL_SECRET_OUTSIDE`,
      "VIGIL_SECRET_.",
    ]) {
      expect(store.read(name), name).toBeUndefined();
    }
    expect(store.read("VIGIL_SECRET_BIG")).toBeUndefined();
    // a symlink the operator placed is the operator's choice; it resolves like Kubernetes' ..data links
    expect(store.read("VIGIL_SECRET_LINK")).toBe("outside");
  });
});
