import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyDetectorResult } from "./verify-detector-result.js";

const nonce = randomBytes(32).toString("hex");
const body = JSON.stringify({
  v: 1,
  startedAt: "2026-11-22T10:00:00.000Z",
  finishedAt: "2026-11-22T10:00:01.000Z",
  rowCount: 1,
  rules: [
    {
      ruleId: "r",
      definitionId: null,
      status: "ok",
      durationMs: 1,
      findings: [{ key: "k", message: "m", severity: "low" }],
    },
  ],
});
const envelope = (text: string, key = nonce) =>
  JSON.stringify({
    v: 1,
    mac: createHmac("sha256", key).update(text).digest("hex"),
    body: text,
  });

describe("verifyDetectorResult", () => {
  it("returns the parsed result of the one line whose mac verifies, ignoring forged lines", () => {
    const channel = `${envelope(body, "f".repeat(64))}\nnot json\n${envelope(body)}\n`;
    expect(verifyDetectorResult(channel, nonce)).toMatchObject({
      ok: true,
      result: { rowCount: 1, rules: [{ ruleId: "r" }] },
    });
  });

  it("says so when the channel is empty, holds no valid mac, or two", () => {
    expect(verifyDetectorResult("", nonce)).toEqual({
      ok: false,
      message: "the detector wrote no result (nothing on file descriptor 3)",
    });
    expect(
      verifyDetectorResult(`${envelope(body, "0".repeat(64))}\n`, nonce),
    ).toEqual({
      ok: false,
      message:
        "the detector's result channel held 1 line(s) and no line with a valid mac",
    });
    expect(
      verifyDetectorResult(`${envelope(body)}\n${envelope(body)}\n`, nonce),
    ).toEqual({
      ok: false,
      message:
        "the detector's result channel held 2 line(s) and 2 lines with a valid mac",
    });
  });

  it("refuses a signed body that does not match DetectorResultSchema", () => {
    const verified = verifyDetectorResult(
      envelope(JSON.stringify({ v: 2 })),
      nonce,
    );
    expect(verified.ok === false && verified.message).toMatch(
      /^the detector's result is malformed: /,
    );
  });
});
