import { execa } from "execa";

import type { SandboxCapabilities } from "./types.js";

/**
 * Kills every process owned by `uid`, by running `kill -KILL -1` as that uid: kill(-1) reaches
 * exactly the processes the sender may signal, i.e. that uid's, and never the sender itself.
 * This catches descendants that left the run's process group with setsid, which the group kill
 * cannot see. Only safe when the uid belongs to this run alone; never for root or our own uid.
 */
export async function sweepUid(
  uid: number,
  gid: number,
  caps: SandboxCapabilities,
): Promise<boolean> {
  const { setpriv, sh } = caps.tools;
  if (
    !caps.switchUser ||
    !setpriv ||
    !sh ||
    uid === 0 ||
    uid === process.getuid?.()
  ) {
    return false;
  }
  const result = await execa(
    setpriv,
    [
      `--reuid=${uid}`,
      `--regid=${gid}`,
      "--clear-groups",
      "--",
      sh,
      "-c",
      "kill -KILL -1 2>/dev/null; exit 0",
    ],
    {
      reject: false,
      extendEnv: false,
      env: {},
      stdio: "ignore",
      timeout: 5_000,
    },
  );
  return result.exitCode === 0;
}
