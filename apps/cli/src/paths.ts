import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, found from this file in src/ or dist/. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The entry point of an app, as docker-compose and Kubernetes run it. */
export function appEntry(app: string): string {
  return path.join(REPO_ROOT, "apps", app, "dist", "main.js");
}
