import { SANDBOX_LAYER_NAMES } from "@vigil/config";
import { SandboxAttestationSchema } from "@vigil/contracts";
import { SANDBOX_LAYERS } from "@vigil/runner";
import { describe, expect, it } from "vitest";

// Three packages name the layers (the runner attests them, SANDBOX_REQUIRE parses them, the
// API documents them) and none depends on another; the executor uses all three.
describe("the sandbox layer names", () => {
  it("are the same in the runner, SANDBOX_REQUIRE and the API schema", () => {
    expect([...SANDBOX_LAYER_NAMES]).toEqual([...SANDBOX_LAYERS]);
    expect(Object.keys(SandboxAttestationSchema.shape).sort()).toEqual(
      [...SANDBOX_LAYERS].sort(),
    );
  });
});
