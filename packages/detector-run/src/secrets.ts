import { readFileSync, statSync } from "node:fs";
import path from "node:path";

import { SECRET_NAME_PATTERN, SECRET_NAME_PREFIX } from "@vigil/contracts";

/** A secret file larger than this is an operator mistake (a key bundle, not a credential). */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

export interface SecretStore {
  /** The value, or undefined when the name is not a secret name or nothing provides it. */
  read(name: string): string | undefined;
  /** Why `read` gave nothing, for the run's error; never contains a value. */
  explainMissing(name: string): string;
  /** The same lookup as a read-only record, for code that indexes an env-like object. */
  asEnv(): Readonly<Record<string, string | undefined>>;
}

export interface SecretStoreOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** SECRETS_DIR: one file per secret, named like the secret. */
  secretsDir?: string | undefined;
}

/**
 * The only way a project's `*_env` names reach a value. A name must look like
 * `VIGIL_SECRET_<NAME>` (the API refuses anything else at write time; a row written
 * before that rule, or by hand, is refused here too), so the executor's own settings
 * (DATABASE_URL, API_TOKENS, REPORT_SIGNING_SECRET, ...) are never readable. The
 * environment variable wins; otherwise `$SECRETS_DIR/<name>` with one trailing newline
 * trimmed. The pattern has no `/` or `.`, so a name cannot leave the folder.
 */
export function createSecretStore({
  env,
  secretsDir,
}: SecretStoreOptions): SecretStore {
  const dir =
    secretsDir === undefined || secretsDir === ""
      ? undefined
      : path.resolve(secretsDir);
  const fromFile = (name: string): string | undefined => {
    if (dir === undefined) {
      return undefined;
    }
    const file = path.join(dir, name);
    try {
      const stat = statSync(file);
      if (!stat.isFile() || stat.size > MAX_SECRET_FILE_BYTES) {
        return undefined;
      }
      return readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch {
      return undefined;
    }
  };
  const read = (name: string): string | undefined => {
    if (!SECRET_NAME_PATTERN.test(name)) {
      return undefined;
    }
    const value = env[name];
    if (value !== undefined && value !== "") {
      return value;
    }
    const fileValue = fromFile(name);
    return fileValue === "" ? undefined : fileValue;
  };
  return {
    read,
    explainMissing(name) {
      if (!SECRET_NAME_PATTERN.test(name)) {
        return `${name} is not a secret name: projects may name only ${SECRET_NAME_PREFIX}* secrets, never the executor's own settings; rename it (and the variable) to ${SECRET_NAME_PREFIX}<NAME>`;
      }
      const where =
        dir === undefined
          ? "SECRETS_DIR is not set"
          : `no non-empty file ${name} in SECRETS_DIR`;
      return `the secret ${name} is not available on the executor (no non-empty environment variable ${name}; ${where})`;
    },
    asEnv() {
      return new Proxy(
        {},
        {
          get: (_target, key) =>
            typeof key === "string" ? read(key) : undefined,
        },
      );
    },
  };
}
