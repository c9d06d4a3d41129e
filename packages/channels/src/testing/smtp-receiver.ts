import type { AddressInfo } from "node:net";

import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** Who logged in (PLAIN/LOGIN), if anyone. */
  user: string | null;
}

export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  /**
   * The answer to the next DATA commands, one per message, then 250 again: e.g.
   * `[451]` refuses one message for now, `[554]` refuses it for good.
   */
  refuseNext: (codes: number[]) => void;
  /** Recipients refused at RCPT TO with 550. */
  rejectRecipients: Set<string>;
  close: () => Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (the `smtp-server` package) that keeps what it receives.
 * No TLS (tests set SMTP_STARTTLS=never); logins are accepted when `users` allows them.
 */
export async function startSmtpReceiver(
  options: { users?: Record<string, string> } = {},
): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const refusals: number[] = [];
  const rejectRecipients = new Set<string>();
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    authOptional: options.users === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      const ok =
        auth.username !== undefined &&
        options.users?.[auth.username] === auth.password;
      callback(
        ok ? null : new Error("invalid login"),
        ok ? { user: auth.username } : undefined,
      );
    },
    onRcptTo(address, _session, callback) {
      if (rejectRecipients.has(address.address)) {
        const error = Object.assign(new Error("no such mailbox"), {
          responseCode: 550,
        });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const code = refusals.shift();
        if (code !== undefined) {
          callback(
            Object.assign(new Error(`refused with ${code} by the test`), {
              responseCode: code,
            }),
          );
          return;
        }
        mails.push({
          from: session.envelope.mailFrom
            ? session.envelope.mailFrom.address
            : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
          user: typeof session.user === "string" ? session.user : null,
        });
        callback(null, "queued as test-1");
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    refuseNext: (codes) => refusals.push(...codes),
    rejectRecipients,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The decoded body of a MIME part whose headers name `filename` (base64 or plain). */
export function attachmentText(raw: string, filename: string): string | null {
  const at = raw.indexOf(`filename=${filename}`);
  const quotedAt = raw.indexOf(`filename="${filename}"`);
  const start = at >= 0 ? at : quotedAt;
  if (start < 0) {
    return null;
  }
  const headerEnd = raw.indexOf("\r\n\r\n", start);
  const partEnd = raw.indexOf("\r\n--", headerEnd);
  const headers = raw.slice(raw.lastIndexOf("\r\n--", start), headerEnd);
  const body = raw.slice(headerEnd + 4, partEnd);
  return /content-transfer-encoding:\s*base64/i.test(headers)
    ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
    : body;
}
