import { createHmac, timingSafeEqual } from "node:crypto";
import {
  DetectorResultSchema,
  SignedDetectorResultSchema,
  type DetectorResult,
} from "@vigil/contracts";

export type VerifiedDetectorResult =
  { ok: true; result: DetectorResult } | { ok: false; message: string };

function macMatches(body: string, mac: string, nonce: string): boolean {
  const expected = createHmac("sha256", nonce).update(body, "utf8").digest();
  const given = Buffer.from(mac, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function signedBodyOf(line: string, nonce: string): string | null {
  let envelope: unknown;
  try {
    envelope = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = SignedDetectorResultSchema.safeParse(envelope);
  return parsed.success && macMatches(parsed.data.body, parsed.data.mac, nonce)
    ? parsed.data.body
    : null;
}

/**
 * The executor's side of the result channel: finds the line on file descriptor 3 whose mac
 * verifies with `nonce` and parses its body with DetectorResultSchema. Rule code can write to
 * fd 3 as well, but not with a valid mac, so lines that do not verify are ignored; more than
 * one verified line cannot come from the runtime and is refused.
 */
export function verifyDetectorResult(
  channelText: string,
  nonce: string,
): VerifiedDetectorResult {
  const lines = channelText.split("\n").filter((line) => line.trim() !== "");
  if (lines.length === 0) {
    return {
      ok: false,
      message: "the detector wrote no result (nothing on file descriptor 3)",
    };
  }
  const bodies = lines
    .map((line) => signedBodyOf(line, nonce))
    .filter((body): body is string => body !== null);
  if (bodies.length !== 1) {
    const found =
      bodies.length === 0
        ? "no line with a valid mac"
        : `${bodies.length} lines with a valid mac`;
    return {
      ok: false,
      message: `the detector's result channel held ${lines.length} line(s) and ${found}`,
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(bodies[0] ?? "");
  } catch {
    return { ok: false, message: "the detector's signed result is not JSON" };
  }
  const result = DetectorResultSchema.safeParse(body);
  if (!result.success) {
    return {
      ok: false,
      message: `the detector's result is malformed: ${result.error.message}`,
    };
  }
  return { ok: true, result: result.data };
}
