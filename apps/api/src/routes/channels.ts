import {
  sendEmail,
  sendWebhook,
  renderAlertEmail,
  type DeliveryOutcome,
} from "@vigil/channels";
import {
  ChannelTestRequestSchema,
  ChannelTestResponseSchema,
  IMPLICIT_CHANNEL_NAME,
  ProjectConfigSchema,
  type ChannelConfig,
  type ChannelTestResponse,
} from "@vigil/contracts";

import type { ApiDeps, ChannelTestSettings } from "../deps.js";
import { AppError, notFound } from "../http/app-error.js";
import { canSeeProject } from "../http/project-access.js";
import { requireProject } from "./require-project.js";
import { defineRoute, type RouteDef } from "./route.js";

type Target =
  | { name: string; kind: "webhook" | "slack"; targetEnv: string | null }
  | Extract<ChannelConfig, { kind: "email" }>;

function answer(target: Target, outcome: DeliveryOutcome): ChannelTestResponse {
  return {
    channel: { name: target.name, kind: target.kind },
    delivered: outcome.kind === "delivered",
    status_code: outcome.statusCode,
    response: outcome.response ?? null,
    error: outcome.kind === "failed" ? outcome.error : null,
    permanent: outcome.kind === "failed" && outcome.permanent,
    latency_ms: outcome.latencyMs,
  };
}

async function send(
  settings: ChannelTestSettings,
  target: Target,
  text: string,
): Promise<DeliveryOutcome> {
  const idempotencyKey = `test:${crypto.randomUUID()}`;
  if (target.kind === "email") {
    return sendEmail(
      settings.smtp,
      {
        to: target.to,
        from: target.from,
        email: renderAlertEmail(text, target.subject_prefix),
        idempotencyKey,
      },
      settings.timeoutMs,
    );
  }
  return sendWebhook({
    target: {
      targetEnv: target.targetEnv,
      env: settings.env,
      globalUrl: settings.reportUrl,
    },
    idempotencyKey,
    body: JSON.stringify({ text, test: true }),
    signingSecret: settings.signingSecret,
    allowPrivateNetworks: settings.allowPrivateNetworks,
    timeoutMs: settings.timeoutMs,
    attempt: 1,
    now: new Date(),
  });
}

/** A server given no settings sends as an executor with none would: no secrets, no SMTP. */
const NOTHING_CONFIGURED: ChannelTestSettings = {
  env: {},
  reportUrl: undefined,
  signingSecret: undefined,
  allowPrivateNetworks: false,
  timeoutMs: 10_000,
  smtp: { SMTP_SECURE: false, SMTP_STARTTLS: "opportunistic" },
};

function fromConfig(c: ChannelConfig): Target {
  return c.kind === "email"
    ? c
    : { name: c.name, kind: c.kind, targetEnv: c.url_env };
}

/** `POST /channels/test`: one message to one channel, answering what the receiver said. */
export function channelRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "post",
      path: "/channels/test",
      tag: "reports",
      access: "write",
      summary:
        "Send a test message to a project's channel, or to a channel config, and answer what the receiver answered",
      description:
        "Sent from the API process with its REPORT_* and SMTP_* settings and its environment's `VIGIL_SECRET_*` variables (not the executor's SECRETS_DIR). A refusal is still a 200: `delivered` is false and `error` says why; `permanent` says whether the outbox would dead-letter it at once.",
      bodyKind: "json",
      body: ChannelTestRequestSchema,
      responses: {
        200: {
          description: "What the receiver answered",
          schema: ChannelTestResponseSchema,
        },
      },
      audit: { none: "sends a test message and records nothing" },
      handler: async ({ body, principal, db }) => {
        const settings = deps.channels ?? NOTHING_CONFIGURED;
        let target: Target;
        let about: string;
        if ("project_id" in body) {
          if (!canSeeProject(principal, body.project_id)) {
            throw notFound(`project "${body.project_id}"`);
          }
          const project = await requireProject(db, body.project_id);
          const config = ProjectConfigSchema.safeParse(project.config);
          if (!config.success) {
            throw new AppError(
              "conflict",
              `project "${body.project_id}" has a config that no longer validates; fix it with PUT /projects/${body.project_id}`,
            );
          }
          if (body.channel === IMPLICIT_CHANNEL_NAME) {
            target = {
              name: IMPLICIT_CHANNEL_NAME,
              kind: "webhook",
              targetEnv: config.data.report.url_env ?? null,
            };
          } else {
            const found = config.data.channels?.find(
              (c) => c.name === body.channel,
            );
            if (found === undefined) {
              throw new AppError(
                "validation_failed",
                `channel: project "${body.project_id}" has no channel named ${body.channel}`,
                [
                  {
                    path: "channel",
                    message: `no channel named ${body.channel}`,
                  },
                ],
              );
            }
            target = fromConfig(found);
          }
          about = `project ${project.name} (${project.id})`;
        } else {
          target = fromConfig(body.channel);
          about = "a channel config";
        }
        const outcome = await send(
          settings,
          target,
          `Vigil test message for channel ${target.name} of ${about}, sent ${new Date().toISOString()}. Nothing is wrong.`,
        );
        return { json: answer(target, outcome) };
      },
    }),
  ];
}
