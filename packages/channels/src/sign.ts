import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * `Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, the
 * Stripe-style scheme: the timestamp inside the MAC lets receivers refuse replays older
 * than their tolerance.
 */
export function signReport({
  body,
  secret,
  timestamp,
}: {
  body: string;
  secret: string;
  timestamp: number;
}): string {
  const mac = createHmac("sha256", secret)
    .update(`${timestamp}.${body}`)
    .digest("hex");
  return `t=${timestamp},v1=${mac}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: "malformed" | "mismatch" | "too_old" };

/**
 * What a receiver does (also the README's sample): parse, recompute over the raw body,
 * compare in constant time, refuse timestamps outside `toleranceSeconds` of `nowSeconds`.
 * Several `v1=` entries are accepted (a sender rotating secrets may send one per secret).
 */
export function verifyReportSignature({
  header,
  body,
  secret,
  nowSeconds,
  toleranceSeconds = 300,
}: {
  header: string;
  body: string;
  secret: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): SignatureCheck {
  const parts = header.split(",").map((p) => p.trim().split("="));
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  const macs = parts
    .filter(
      ([k, v]) => k === "v1" && v !== undefined && /^[0-9a-f]{64}$/.test(v),
    )
    .map(([, v]) => v as string);
  if (!Number.isInteger(t) || macs.length === 0) {
    return { ok: false, reason: "malformed" };
  }
  const expected = Buffer.from(
    createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"),
  );
  if (!macs.some((m) => timingSafeEqual(Buffer.from(m), expected))) {
    return { ok: false, reason: "mismatch" };
  }
  if (Math.abs(nowSeconds - t) > toleranceSeconds) {
    return { ok: false, reason: "too_old" };
  }
  return { ok: true, timestamp: t };
}
