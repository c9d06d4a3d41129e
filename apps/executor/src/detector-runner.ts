import type { ClaimedTrigger } from "@vigil/db";

import { cancelReasonOf, type RunOutcome } from "@vigil/detector-run";

export interface DetectorRunRequest {
  claim: ClaimedTrigger;
  /** Aborted with a CancelReason when the lease is lost or the executor shuts down. */
  signal: AbortSignal;
}

/**
 * Everything between "claimed" and "record the outcome": load the project, synthesize, load
 * data, spawn, parse. Production always uses the detector runner (`createDetectorRunner`);
 * the benchmark and claim-only tests inject `createNoopRunner` to measure the loop alone.
 */
export interface DetectorRunner {
  run(request: DetectorRunRequest): Promise<RunOutcome>;
}

/** Succeeds with no findings after `delayMs` without spawning anything; aborting cancels it. */
export function createNoopRunner({
  delayMs,
}: {
  delayMs: number;
}): DetectorRunner {
  return {
    async run({ signal }) {
      if (delayMs > 0 && !signal.aborted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          signal.addEventListener(
            "abort",
            () => (clearTimeout(timer), resolve()),
            { once: true },
          );
        });
      }
      if (signal.aborted) {
        return {
          kind: "cancelled",
          reason: cancelReasonOf(signal),
          details: {},
        };
      }
      return { kind: "succeeded", findings: [], rules: [], details: {} };
    },
  };
}
