import { existsSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import type { DetectorPackages } from "./types.js";

/**
 * Node built-ins rule code may import: pure computation only. Everything that reaches the file
 * system, the network, processes, threads, the inspector or the module loader (fs, net, http,
 * child_process, worker_threads, vm, module, os, ...) is left out. This list gives clear errors
 * before a run; it is not the sandbox (the runner's permission flags and OS limits are).
 */
export const ALLOWED_BUILTINS: readonly string[] = [
  "node:assert",
  "node:assert/strict",
  "node:buffer",
  "node:crypto",
  "node:events",
  "node:path",
  "node:path/posix",
  "node:querystring",
  "node:string_decoder",
  "node:timers",
  "node:timers/promises",
  "node:url",
  "node:util",
  "node:util/types",
];

const builtins = new Set(builtinModules);

/** `lodash/fp` -> `lodash`, `@acme/money/x` -> `@acme/money`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@")
    ? parts.slice(0, 2).join("/")
    : (parts[0] ?? specifier);
}

function describeAllowed(packages: DetectorPackages | undefined): string {
  const names = packages?.names ?? [];
  const extra =
    names.length === 0
      ? "no packages (an operator adds them with DETECTOR_PACKAGES)"
      : `packages ${names.join(", ")}`;
  return `allowed: ${ALLOWED_BUILTINS.join(", ")}; ${extra}`;
}

/**
 * Says why `specifier` cannot be imported by a rule, or returns null when it can.
 * Bare built-in names (`crypto`) are treated as their `node:` form.
 */
export function explainDisallowedImport(
  ruleId: string,
  specifier: string,
  packages?: DetectorPackages,
): string | null {
  const prefix = `rule ${JSON.stringify(ruleId)} imports ${JSON.stringify(specifier)}`;
  const builtin = specifier.startsWith("node:")
    ? specifier
    : builtins.has(specifier)
      ? `node:${specifier}`
      : null;
  if (builtin !== null) {
    return ALLOWED_BUILTINS.includes(builtin)
      ? null
      : `${prefix}, which detectors cannot load (${describeAllowed(packages)})`;
  }
  if (/^[./]/.test(specifier) || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) {
    return `${prefix}: rule code cannot import files or URLs (a rule is one module; ${describeAllowed(packages)})`;
  }
  const name = packageNameOf(specifier);
  if (!(packages?.names ?? []).includes(name)) {
    return `${prefix}, which detectors cannot load (${describeAllowed(packages)})`;
  }
  if (
    packages?.nodeModulesDir !== undefined &&
    !existsSync(join(packages.nodeModulesDir, name, "package.json"))
  ) {
    return `${prefix}: package ${JSON.stringify(name)} is allowed but not installed in ${packages.nodeModulesDir}`;
  }
  return null;
}
