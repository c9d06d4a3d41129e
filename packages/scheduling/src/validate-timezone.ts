import { IANAZone } from "luxon";

import { createLruCache } from "./lru-cache.js";

export type TimezoneValidation = { ok: true } | { ok: false; message: string };

/** Single-word names we accept; everything else must be an Area/Location name. */
const SINGLE_WORD_ZONES = new Set(["UTC", "GMT"]);

/**
 * Accepts IANA tz database names only: `Area/Location` (including links such as
 * `US/Eastern` and `Etc/GMT+3`) plus `UTC` and `GMT`, spelled with the database's case.
 * Rejected: offsets (`UTC+3`, `+03:00`; cron-parser accepts `UTC+3`), and the legacy
 * POSIX-style zones (`EST`, `EST5EDT`, `CST6CDT`) that tzdata 2024b turned into links
 * and whose names mislead (`EST` never observes DST).
 */
export function validateTimezone(tz: string): TimezoneValidation {
  const cached = cache.get(tz);
  if (cached !== undefined) {
    return cached;
  }
  const result = checkTimezone(tz);
  cache.set(tz, result);
  return result;
}

/** Building an Intl.DateTimeFormat costs tens of µs; a fleet uses a few hundred zone names. */
const cache = createLruCache<string, TimezoneValidation>(2_000);

function checkTimezone(tz: string): TimezoneValidation {
  if (typeof tz !== "string" || tz.trim() === "") {
    return { ok: false, message: "timezone is empty" };
  }
  if (tz !== tz.trim()) {
    return {
      ok: false,
      message: `timezone "${tz}" has surrounding whitespace`,
    };
  }
  if (/^(UTC|GMT)?[+-]\d/i.test(tz)) {
    return {
      ok: false,
      message: `timezone "${tz}" is a fixed offset; use an IANA name such as "Europe/Berlin" or "Etc/GMT-3"`,
    };
  }
  const resolved = resolveZoneName(tz);
  if (resolved === null) {
    return {
      ok: false,
      message: `timezone "${tz}" is not an IANA time zone name`,
    };
  }
  if (resolved.toLowerCase() === tz.toLowerCase() && resolved !== tz) {
    return {
      ok: false,
      message: `timezone "${tz}" is misspelled; write "${resolved}"`,
    };
  }
  if (!tz.includes("/") && !SINGLE_WORD_ZONES.has(tz)) {
    return {
      ok: false,
      message: `timezone "${tz}" is a legacy abbreviation; use an Area/Location name such as "America/New_York"`,
    };
  }
  return { ok: true };
}

/** The name Intl resolves `tz` to, or null when neither Intl nor luxon knows it. */
function resolveZoneName(tz: string): string | null {
  if (!IANAZone.isValidZone(tz)) {
    return null;
  }
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions()
      .timeZone;
  } catch {
    return null;
  }
}
