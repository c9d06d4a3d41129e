import { z } from "zod";

/**
 * ISO 8601 durations with exact lengths only (weeks, days, hours, minutes, seconds), so a
 * lookback is a fixed number of milliseconds: `PT1H`, `P1D`, `PT15M`, `P1DT12H`.
 * Years and months are refused because their length depends on the calendar.
 */
const ISO_DURATION =
  /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function isoDurationToMs(text: string): number | undefined {
  const m = ISO_DURATION.exec(text);
  if (!m) {
    return undefined;
  }
  const [, w, d, h, min, s] = m;
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v));
  return ((((n(w) * 7 + n(d)) * 24 + n(h)) * 60 + n(min)) * 60 + n(s)) * 1000;
}

export const IsoDurationSchema = z
  .string()
  .refine((v) => (isoDurationToMs(v) ?? 0) > 0, {
    message:
      "expected an ISO 8601 duration of weeks, days, hours, minutes or seconds, e.g. PT1H or P1D",
  })
  // the JSON Schema (config reference, /openapi.json) says what the refine checks
  .meta({ format: "duration" });
