import os from "node:os";

/**
 * The audit actor of a CLI write: `cli:<os user>`. A container user without a passwd entry
 * makes os.userInfo() throw; then the login variables of `env` (the CLI context's), then
 * the numeric uid.
 */
export function cliActor(env: NodeJS.ProcessEnv = {}): string {
  let user: string | undefined;
  try {
    user = os.userInfo().username;
  } catch {
    user = env.USER ?? env.LOGNAME;
  }
  return `cli:${user || `uid-${process.getuid?.() ?? "unknown"}`}`;
}
