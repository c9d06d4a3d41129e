import { mkdir, stat } from "node:fs/promises";
import path from "node:path";

/**
 * Detectors run as another uid, which must be able to enter WORK_DIR and every folder above
 * it. A folder that is not world-searchable (mktemp's 0700, a home directory) would fail
 * every run with EACCES; this finds it at start instead. Returns a message, or null when fine.
 */
export async function findUnreachableWorkDir(
  workDir: string,
): Promise<string | null> {
  await mkdir(workDir, { recursive: true, mode: 0o755 });
  for (let dir = path.resolve(workDir); ; dir = path.dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      return `WORK_DIR ${workDir}: detectors run as another user and cannot enter ${dir} (mode ${(mode & 0o777).toString(8).padStart(4, "0")}); make it searchable (chmod o+x ${dir}) or choose another WORK_DIR`;
    }
    if (dir === path.dirname(dir)) {
      return null;
    }
  }
}
