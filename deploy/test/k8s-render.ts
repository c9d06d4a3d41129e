import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { parseAllDocuments } from "yaml";

const run = promisify(execFile);

/** A rendered Kubernetes object, loosely typed: tests read only what they check. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

/**
 * Renders a kustomization the way `kubectl apply -k` does: with kubectl's built-in kustomize,
 * so the test sees exactly what a cluster would receive (labels, images, patches applied).
 */
export async function renderKustomization(dir: string): Promise<K8sObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await run("kubectl", ["kustomize", dir], {
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(
      e.code === "ENOENT"
        ? "kubectl is not installed: it renders the kustomizations (apt-get install kubernetes-client)"
        : `kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`,
    );
  }
  return parseAllDocuments(stdout).map((doc) => {
    if (doc.errors.length > 0) {
      throw new Error(`kubectl kustomize ${dir}: ${doc.errors[0]?.message}`);
    }
    return doc.toJS() as K8sObject;
  });
}
