import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

import { classifyAddress } from "./address.js";

export interface UrlGuardOptions {
  /** Allow loopback, private, link-local and other non-public targets (local development, tests). */
  allowPrivateNetworks: boolean;
  /** How to allow a refused private target (the operator switch to name), appended to the refusal. */
  privateNetworkHint?: string;
}

export type UrlCheck = { ok: true } | { ok: false; reason: string };

/** A URL that passed the guard, with the address a connection must use. */
export interface ResolvedTarget {
  ok: true;
  url: URL;
  /** Every address the host resolved to, all checked; connections may use only these. */
  addresses: { address: string; family: 4 | 6 }[];
}

/** The host part of a URL, safe for messages: never the path, query or credentials. */
export function describeHost(url: URL): string {
  return url.host;
}

/**
 * Parses, resolves and checks a URL. Every resolved address must be allowed (a name
 * that resolves to one public and one private address is refused), and the addresses
 * are returned so the connection is pinned to what was checked (no DNS rebinding).
 */
export async function resolveTarget(
  rawUrl: string | URL,
  { allowPrivateNetworks, privateNetworkHint }: UrlGuardOptions,
): Promise<ResolvedTarget | { ok: false; reason: string }> {
  if (!URL.canParse(rawUrl.toString())) {
    return { ok: false, reason: "not a valid URL" };
  }
  const url = new URL(rawUrl);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return {
      ok: false,
      reason: `scheme ${url.protocol.replace(":", "")} is not allowed (http and https only)`,
    };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "credentials in the URL are not allowed" };
  }
  const host = url.hostname.startsWith("[")
    ? url.hostname.slice(1, -1)
    : url.hostname;
  let addresses: { address: string; family: number }[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      return {
        ok: false,
        reason: `host ${describeHost(url)} does not resolve`,
      };
    }
  }
  if (addresses.length === 0) {
    return { ok: false, reason: `host ${describeHost(url)} does not resolve` };
  }
  if (!allowPrivateNetworks) {
    for (const { address } of addresses) {
      const kind = classifyAddress(address);
      if (kind !== "public") {
        return {
          ok: false,
          reason: `host ${describeHost(url)} resolves to a ${kind.replace("_", "-")} address (${address}); private networks are not allowed${privateNetworkHint === undefined ? "" : ` (${privateNetworkHint})`}`,
        };
      }
    }
  }
  return {
    ok: true,
    url,
    addresses: addresses.map(({ address, family }) => ({
      address,
      family: family === 6 ? 6 : 4,
    })),
  };
}

/**
 * Whether Vigil may send a request to `url`: http(s) only, no credentials in the URL,
 * and (unless allowed) no loopback/private/link-local target after DNS resolution.
 * Used at write time by the API and before every request by `safeRequest`.
 */
export async function checkUrlAllowed(
  url: string | URL,
  options: UrlGuardOptions,
): Promise<UrlCheck> {
  const target = await resolveTarget(url, options);
  return target.ok ? { ok: true } : target;
}
