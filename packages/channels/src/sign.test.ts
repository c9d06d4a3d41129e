import { describe, expect, it } from "vitest";

import { signReport, verifyReportSignature } from "./sign.js";

const secret = "a-signing-secret-of-32-characters";
const body = JSON.stringify({ v: 1, id: "report:1" });

describe("report signatures", () => {
  it("produces the documented header, which the receiver-side check accepts", () => {
    const header = signReport({ body, secret, timestamp: 1_700_000_000 });
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(
      verifyReportSignature({
        header,
        body,
        secret,
        nowSeconds: 1_700_000_010,
      }),
    ).toEqual({ ok: true, timestamp: 1_700_000_000 });
  });

  it("rejects a body changed by one byte, a wrong secret and an old timestamp", () => {
    const header = signReport({ body, secret, timestamp: 1_700_000_000 });
    expect(
      verifyReportSignature({
        header,
        body: `${body} `,
        secret,
        nowSeconds: 1_700_000_000,
      }),
    ).toMatchObject({ reason: "mismatch" });
    expect(
      verifyReportSignature({
        header,
        body,
        secret: `${secret}x`,
        nowSeconds: 1_700_000_000,
      }),
    ).toMatchObject({ reason: "mismatch" });
    expect(
      verifyReportSignature({
        header,
        body,
        secret,
        nowSeconds: 1_700_000_301,
      }),
    ).toMatchObject({ reason: "too_old" });
    expect(
      verifyReportSignature({
        header: "v1=zz",
        body,
        secret,
        nowSeconds: 1_700_000_000,
      }),
    ).toMatchObject({ reason: "malformed" });
  });
});
