import { CENSOR, redactPatterns } from "./secret-patterns.js";

/**
 * Exact secret values to censor wherever they appear. Shorter values are ignored: a
 * 4-character "secret" would censor ordinary words all over the logs. Config enforces
 * 16+ characters for API tokens and the signing secret.
 */
export const MIN_REGISTERED_SECRET_LENGTH = 8;

/** Raw values and their JSON-escaped forms, longest first so a secret containing another wins. */
let needles: string[] = [];
const registered = new Set<string>();

/**
 * Registers exact values (API tokens, the signing secret, a report webhook URL) that
 * `redactSecrets` and every logger must censor. Call once at start, after parsing config:
 * `registerSecrets(collectSecretValues(config))`. Process-wide on purpose: output tails
 * and stored error messages are redacted far from where config was read.
 */
export function registerSecrets(
  values: Iterable<string | undefined | null>,
): void {
  for (const value of values) {
    if (
      typeof value === "string" &&
      value.length >= MIN_REGISTERED_SECRET_LENGTH
    ) {
      registered.add(value);
      // Inside a JSON log line a secret with `"` or `\` appears escaped.
      registered.add(JSON.stringify(value).slice(1, -1));
    }
  }
  needles = [...registered].sort((a, b) => b.length - a.length);
}

function countBackslashesBefore(text: string, index: number): number {
  let count = 0;
  while (index - count - 1 >= 0 && text[index - count - 1] === "\\") {
    count += 1;
  }
  return count;
}

/**
 * Replaces `needle` in `text`. In a JSON line, an occurrence right after an odd run of
 * backslashes is part of an escape (`\n` + "abc…"), not the secret, and replacing it
 * would leave an invalid `\*` escape, so it is skipped.
 */
function replaceNeedle(text: string, needle: string, json: boolean): string {
  let out = "";
  let from = 0;
  let at = text.indexOf(needle);
  while (at !== -1) {
    const insideEscape = json && countBackslashesBefore(text, at) % 2 === 1;
    out += text.slice(from, at) + (insideEscape ? needle : CENSOR);
    from = at + needle.length;
    at = text.indexOf(needle, from);
  }
  return from === 0 ? text : out + text.slice(from);
}

function redact(text: string, json: boolean): string {
  let out = text;
  for (const needle of needles) {
    if (out.includes(needle)) {
      out = replaceNeedle(out, needle, json);
    }
  }
  return redactPatterns(out);
}

/**
 * Censors secrets in free text: registered values, passwords in URLs
 * (`postgres://user:***@host`), bearer and basic credentials, `password=…`-style pairs
 * and secret-named JSON members. For output tails, stored error messages, anything
 * that leaves the process.
 */
export function redactSecrets(text: string): string {
  return redact(text, false);
}

/** The same on one serialized JSON log line; keeps it valid JSON (pino's streamWrite hook). */
export function redactJsonLine(line: string): string {
  return redact(line, true);
}
