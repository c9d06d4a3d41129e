import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";

/**
 * Finds the program before spawning. The sandbox tools exec it last, so a missing binary would
 * otherwise surface as a wrapper's exit code 1 instead of a spawn error. A bare name is looked
 * up in the child's own PATH, as the child would.
 */
export async function resolveCommand(
  command: string,
  env: Record<string, string>,
): Promise<{ path: string } | { error: string }> {
  const candidates =
    isAbsolute(command) || command.includes("/")
      ? [command]
      : (env.PATH ?? "")
          .split(delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return { path: candidate };
    } catch {
      // Try the next one.
    }
  }
  return { error: `spawn ${command} ENOENT: not found or not executable` };
}
