import { createHash } from "node:crypto";

import type { JsonValue } from "../tables/common.js";

/** The fields of an audit row that its hash covers (everything but the hash itself). */
export interface HashedAuditFields {
  prev_hash: string | null;
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string;
  request_id: string | null;
  diff: JsonValue;
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === "object") {
    // no prototype: a "__proto__" key stays an ordinary key, as JSON.parse makes it
    const out = Object.create(null) as Record<string, JsonValue>;
    for (const key of Object.keys(value).sort()) {
      out[key] = sortKeys(value[key]!);
    }
    return out;
  }
  return value;
}

/**
 * The canonical form an audit row's hash is taken over: the ECMAScript `JSON.stringify`
 * (no whitespace) of the array
 * `[prev_hash, String(id), at.toISOString(), actor, action, target, request_id, diff]`,
 * with the keys of every object inside `diff` in ascending UTF-16 code unit order (the
 * default `Array.prototype.sort`). `prev_hash` and `request_id` are `null` when absent; `at`
 * is UTC with milliseconds (the column keeps milliseconds only, so the value read back is the
 * value hashed). Sorting keys makes the form independent of jsonb's own key order.
 */
export function canonicalAuditForm(e: HashedAuditFields): string {
  return JSON.stringify([
    e.prev_hash,
    String(e.id),
    e.at.toISOString(),
    e.actor,
    e.action,
    e.target,
    e.request_id,
    sortKeys(e.diff),
  ]);
}

/** sha256, lower-case hex, of the canonical form's UTF-8 bytes. */
export function hashAuditEvent(e: HashedAuditFields): string {
  return createHash("sha256")
    .update(canonicalAuditForm(e), "utf8")
    .digest("hex");
}
