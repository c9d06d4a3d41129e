import type { LookupAddress, LookupOptions } from "node:dns";

import { Agent } from "undici";

import type { ResolvedTarget } from "./check-url.js";

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * An undici Agent whose DNS lookup always answers with the addresses the guard checked,
 * so a name that re-resolves to 127.0.0.1 between check and connect (DNS rebinding)
 * still reaches only the checked addresses (all of them, so Node's happy-eyeballs
 * fallback between ::1 and 127.0.0.1 keeps working). TLS keeps the hostname for SNI and
 * certificate checks because undici passes the URL's host as `servername`.
 * One agent per request: no pooled socket can outlive the check.
 */
export function createPinnedAgent(
  target: ResolvedTarget,
  timeoutMs: number,
): Agent {
  const pinnedLookup = (
    _hostname: string,
    options: LookupOptions,
    callback: LookupCallback,
  ) => {
    const [first] = target.addresses;
    if (options.all === true) {
      callback(null, target.addresses);
    } else if (first !== undefined) {
      callback(null, first.address, first.family);
    }
  };
  return new Agent({
    connect: { lookup: pinnedLookup, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    pipelining: 0,
  });
}
