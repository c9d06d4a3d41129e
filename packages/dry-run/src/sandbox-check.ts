import { unmetRequirements, type SandboxLayer } from "@vigil/detector-run";
import { detectSandboxCapabilities } from "@vigil/runner";

/**
 * Why this host cannot give dry-run detectors the layers named, one sentence per missing layer;
 * empty when it can. A long-lived process checks at start, as the executor does for
 * SANDBOX_REQUIRE.
 */
export async function unmetSandboxLayers(
  layers: readonly SandboxLayer[],
): Promise<string[]> {
  return unmetRequirements(layers, await detectSandboxCapabilities());
}
