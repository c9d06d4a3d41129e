// The front door of @vigil/channels: the senders behind report/alert delivery and channel tests.
export { toCsv } from "./csv.js";
export {
  sendEmail,
  smtpEnvOf,
  smtpNotConfigured,
  type EmailMessage,
  type SmtpEnv,
} from "./email.js";
export {
  CSV_HEADER,
  EMAIL_BODY_MAX_FINDINGS,
  renderAlertEmail,
  renderEmail,
  renderReportEmail,
  reportCsv,
  type RenderedEmail,
} from "./render.js";
export {
  signReport,
  verifyReportSignature,
  type SignatureCheck,
} from "./sign.js";
export {
  resolveTargetUrl,
  sendWebhook,
  type DeliverOptions,
  type DeliverTarget,
  type DeliveryOutcome,
} from "./webhook.js";
