import { readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

import { UsageError } from "./database-target.js";

/** The file `vigil start` reads without `--env-file`: `env` in VIGIL_DATA_DIR (`.vigil/env`). */
export const defaultEnvFilePath = (
  env: Readonly<Record<string, string | undefined>>,
) => path.join(env.VIGIL_DATA_DIR || ".vigil", "env");

export interface EnvFile {
  /** The file as given (or the default path), for start-up lines and errors. */
  file: string;
  /** Name → value, in file order; a name given twice keeps its last value. */
  values: Map<string, string>;
}

/** A malformed env file or a missing `--env-file`: `vigil` exits 2 (bad configuration). */
export class EnvFileError extends UsageError {}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;
const QUOTES = new Set(["'", '"', "`"]);

/**
 * The env file `vigil start` reads: `--env-file PATH` (which must exist), else
 * `$VIGIL_DATA_DIR/env` when present. Undefined when there is none.
 */
export function readStartEnvFile(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): EnvFile | undefined {
  const file = explicit ?? defaultEnvFilePath(env);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (explicit === undefined && code === "ENOENT") {
      return undefined;
    }
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory, not a file"
          : `cannot be read (${code ?? String(err)})`;
    throw new EnvFileError(`env file ${file}: ${why}`);
  }
  return { file, values: parseEnvFile(text, file) };
}

/**
 * dotenv syntax, strictly: every line is blank, a `#` comment, or `[export ]NAME=value`, where a
 * value may be quoted with ' " or ` (a quoted value may span lines) and may be followed by a
 * comment. Anything else is an error naming the file and line, never the line's text (it may
 * hold a secret). The values themselves are read by Node's own `util.parseEnv`, one assignment
 * at a time, so quoting, escapes and comments mean exactly what they mean to `node --env-file`.
 */
export function parseEnvFile(text: string, file: string): Map<string, string> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const values = new Map<string, string>();
  const fail = (line: number, why: string): never => {
    throw new EnvFileError(`env file ${file}, line ${line}: ${why}`);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) {
      continue;
    }
    const match = ASSIGNMENT.exec(line);
    if (!match) {
      fail(
        i + 1,
        "expected NAME=value (a name of letters, digits and _, not starting with a digit)",
      );
    }
    const [, name = "", rawValue = ""] = match ?? [];
    const start = i;
    const value = rawValue.trimStart();
    const quote = value[0] ?? "";
    if (QUOTES.has(quote)) {
      // the value ends at the next same quote, on this line or a later one
      let rest = value.slice(1);
      let close = rest.indexOf(quote);
      while (close === -1 && i + 1 < lines.length) {
        i++;
        rest = lines[i] ?? "";
        close = rest.indexOf(quote);
      }
      if (close === -1) {
        fail(start + 1, `the quoted value of ${name} is never closed`);
      }
      const after = rest.slice(close + 1).trim();
      if (after !== "" && !after.startsWith("#")) {
        fail(
          i + 1,
          `unexpected text after the closing quote of ${name} (a comment starts with #)`,
        );
      }
    }
    const parsed = parseEnv(
      `${name}=${[value, ...lines.slice(start + 1, i + 1)].join("\n")}`,
    );
    values.set(name, parsed[name] ?? "");
  }
  return values;
}

/**
 * The environment `vigil start` works with: the file's values under the real environment,
 * which wins. `overridden` names the file's variables the environment already set.
 */
export function applyEnvFile(
  env: NodeJS.ProcessEnv,
  envFile: EnvFile,
): { env: NodeJS.ProcessEnv; fromFile: string[]; overridden: string[] } {
  const merged: NodeJS.ProcessEnv = { ...env };
  const fromFile: string[] = [];
  const overridden: string[] = [];
  for (const [name, value] of envFile.values) {
    if (env[name] === undefined) {
      merged[name] = value;
      fromFile.push(name);
    } else {
      overridden.push(name);
    }
  }
  return { env: merged, fromFile, overridden };
}
