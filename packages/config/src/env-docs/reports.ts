import { MIN_REPORT_SECRET_LENGTH } from "../fragments/report.js";
import type { EnvVarDoc } from "../env-vars.js";
import type { EnvVarName } from "../fragments/index.js";

/** The variables of report delivery: webhooks and email, in the order the README's table lists them. */
export const reportsDocs = {
  REPORT_URL: {
    secret: "value",
    meaning:
      "Global report receiver (http/https) when a project sets none. Webhook URLs embed tokens, so the whole URL is treated as a secret.",
  },
  REPORT_SIGNING_SECRET: {
    secret: "value",
    meaning: `HMAC key for the \`Vigil-Signature\` header, at least ${MIN_REPORT_SECRET_LENGTH} characters. Unset: reports are unsigned.`,
  },
  REPORT_ALLOW_PRIVATE_NETWORKS: {
    default: "false",
    meaning:
      "Allow report, alert and channel URLs on loopback or private addresses (development and tests; `npm start` turns it on and says so). Off, such a URL is dead-lettered at once, its error naming this variable.",
  },
  SMTP_URL: {
    secret: "url-password",
    meaning:
      "SMTP server for email channels as one URL (`smtp://user:password@host:587` or `smtps://host:465`); wins over SMTP_HOST and the rest. With neither set, email deliveries fail naming these variables and are retried (until REPORT_MAX_ATTEMPTS).",
  },
  SMTP_HOST: {
    meaning: "SMTP server host for email channels (when SMTP_URL is unset).",
  },
  SMTP_PORT: {
    computedDefault: "465 with SMTP_SECURE, else 587",
    meaning: "SMTP server port.",
  },
  SMTP_SECURE: {
    default: "false",
    meaning:
      "Implicit TLS from the first byte (port 465). False: plain connection, upgraded per SMTP_STARTTLS.",
  },
  SMTP_STARTTLS: {
    default: "opportunistic",
    meaning:
      "`required`: refuse to send unless the server upgrades to TLS with STARTTLS; `opportunistic`: upgrade when offered; `never`: do not upgrade (local test servers only).",
  },
  SMTP_USER: {
    meaning: "SMTP login user; unset: no authentication.",
  },
  SMTP_PASSWORD: {
    secret: "value",
    meaning: "SMTP login password (with SMTP_USER).",
  },
  SMTP_FROM: {
    meaning:
      "Sender address of email channels that set no `from`, e.g. `vigil@example.com`.",
  },
  REPORT_MAX_ATTEMPTS: {
    default: "10",
    meaning: "Delivery attempts before a report is dead-lettered.",
  },
  REPORT_TIMEOUT_MS: {
    default: "10000",
    meaning:
      "Timeout of one delivery attempt (an HTTP request, or each SMTP connect, greeting and reply).",
  },
} satisfies Partial<Record<EnvVarName, EnvVarDoc>>;
