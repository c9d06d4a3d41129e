import nodemailer from "nodemailer";

import type { DeliveryOutcome } from "./webhook.js";
import type { RenderedEmail } from "./render.js";

/** The SMTP_* variables of @vigil/config's channel fragment. */
export interface SmtpEnv {
  SMTP_URL?: string | undefined;
  SMTP_HOST?: string | undefined;
  SMTP_PORT?: number | undefined;
  SMTP_SECURE: boolean;
  SMTP_STARTTLS: "required" | "opportunistic" | "never";
  SMTP_USER?: string | undefined;
  SMTP_PASSWORD?: string | undefined;
  SMTP_FROM?: string | undefined;
}

/** The SMTP settings out of an app's whole config (the executor's, the API's). */
export function smtpEnvOf(config: SmtpEnv): SmtpEnv {
  return {
    SMTP_URL: config.SMTP_URL,
    SMTP_HOST: config.SMTP_HOST,
    SMTP_PORT: config.SMTP_PORT,
    SMTP_SECURE: config.SMTP_SECURE,
    SMTP_STARTTLS: config.SMTP_STARTTLS,
    SMTP_USER: config.SMTP_USER,
    SMTP_PASSWORD: config.SMTP_PASSWORD,
    SMTP_FROM: config.SMTP_FROM,
  };
}

export interface EmailMessage {
  /** The channel's `from`; unset: SMTP_FROM. */
  from?: string | undefined;
  to: readonly string[];
  email: RenderedEmail;
  /** Sent as a header too, so a mail receiver can drop a duplicate after a retry. */
  idempotencyKey: string;
}

/** Why no SMTP server can be used, naming the variables; null when one is configured. */
export function smtpNotConfigured(env: SmtpEnv): string | null {
  return env.SMTP_URL === undefined && env.SMTP_HOST === undefined
    ? "no SMTP server is configured: set SMTP_URL or SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD as needed) on the executor and the API"
    : null;
}

function transportOptions(env: SmtpEnv, timeoutMs: number) {
  const tls = {
    requireTLS: env.SMTP_STARTTLS === "required",
    ignoreTLS: env.SMTP_STARTTLS === "never",
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // nodemailer logs nothing unless asked; say so, so a debug flag never prints a password
    logger: false,
    debug: false,
  } as const;
  if (env.SMTP_URL !== undefined) {
    // the URL carries host, port, smtps:// for implicit TLS and the login
    return { url: env.SMTP_URL, ...tls };
  }
  return {
    host: env.SMTP_HOST,
    port: env.SMTP_PORT ?? (env.SMTP_SECURE ? 465 : 587),
    secure: env.SMTP_SECURE,
    ...(env.SMTP_USER === undefined
      ? {}
      : { auth: { user: env.SMTP_USER, pass: env.SMTP_PASSWORD ?? "" } }),
    ...tls,
  };
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** A reply line without anything after the code and text that could echo a credential. */
function shortReply(text: string | undefined): string | undefined {
  return text === undefined ? undefined : text.split("\n", 1)[0]?.slice(0, 300);
}

/**
 * One email over SMTP. A 2xx reply is delivered (the reply is returned: `250 OK: queued as …`);
 * a 4xx reply or a connection failure is retried; a 5xx reply (a recipient or sender the
 * server refuses, a failed login) is permanent. Never throws.
 */
export async function sendEmail(
  env: SmtpEnv,
  message: EmailMessage,
  timeoutMs: number,
): Promise<DeliveryOutcome> {
  const notConfigured = smtpNotConfigured(env);
  const from = message.from ?? env.SMTP_FROM;
  if (notConfigured !== null || from === undefined) {
    return {
      kind: "failed",
      statusCode: null,
      latencyMs: null,
      error:
        notConfigured ??
        "no sender address: set SMTP_FROM on the executor and the API, or `from` on the channel",
      retryAfterMs: null,
      // a setting, not the server: the next attempt (after a restart with it set) may work
      permanent: false,
    };
  }
  const started = performance.now();
  const transport = nodemailer.createTransport(
    transportOptions(env, timeoutMs),
  );
  const latency = () => Math.round(performance.now() - started);
  try {
    const info = await transport.sendMail({
      from,
      to: [...message.to],
      subject: message.email.subject,
      text: message.email.text,
      html: message.email.html,
      attachments: message.email.attachments.map((a) => ({
        ...a,
        contentTransferEncoding: "base64" as const,
      })),
      headers: { "X-Vigil-Idempotency-Key": message.idempotencyKey },
    });
    const reply = shortReply(info.response) ?? "250";
    const rejected = info.rejected.map(String);
    return {
      kind: "delivered",
      statusCode: Number.parseInt(reply, 10) || 250,
      latencyMs: latency(),
      response:
        rejected.length === 0
          ? reply
          : `${reply} (refused: ${rejected.join(", ")})`,
    };
  } catch (caught) {
    const e = caught as SmtpError;
    const code = e.responseCode;
    const reply = shortReply(e.response);
    const what =
      code !== undefined
        ? `SMTP server answered ${reply ?? code}`
        : `SMTP ${e.code ?? "error"}: ${shortReply(e.message) ?? "unknown error"}`;
    return {
      kind: "failed",
      statusCode: code ?? null,
      latencyMs: latency(),
      error: what,
      retryAfterMs: null,
      permanent: code !== undefined && code >= 500 && code < 600,
      ...(reply === undefined ? {} : { response: reply }),
    };
  } finally {
    transport.close();
  }
}
