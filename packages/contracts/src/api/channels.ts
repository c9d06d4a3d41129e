import { z } from "zod";

import { ProjectIdSchema } from "../entities.js";
import {
  ChannelConfigSchema,
  ChannelNameSchema,
  IMPLICIT_CHANNEL_NAME,
} from "../project-config.js";

/**
 * `POST /channels/test`: a project's channel by name (`default`: its report.url_env or the
 * global REPORT_URL), or a channel config not saved anywhere yet.
 */
export const ChannelTestRequestSchema = z
  .union([
    z
      .object({
        project_id: ProjectIdSchema,
        channel: z.union([ChannelNameSchema, z.literal(IMPLICIT_CHANNEL_NAME)]),
      })
      .strict(),
    z.object({ channel: ChannelConfigSchema }).strict(),
  ])
  .meta({ id: "ChannelTestRequest" });
export type ChannelTestRequest = z.infer<typeof ChannelTestRequestSchema>;

export const ChannelTestResponseSchema = z
  .object({
    channel: z.object({
      name: z.string(),
      kind: z.enum(["webhook", "slack", "email"]),
    }),
    /** Whether the receiver accepted the message (HTTP 2xx, SMTP 2xx). */
    delivered: z.boolean(),
    /** The HTTP status or SMTP reply code the receiver answered; null: no answer. */
    status_code: z.number().int().nullable(),
    /** The SMTP server's reply line; null for HTTP receivers. */
    response: z.string().nullable(),
    /** Why it was not delivered, naming the variable or the reason; never a secret. */
    error: z.string().nullable(),
    /** Whether the outbox would dead-letter this at once (no retry can fix it). */
    permanent: z.boolean(),
    latency_ms: z.number().int().nullable(),
  })
  .meta({ id: "ChannelTestResponse" });
export type ChannelTestResponse = z.infer<typeof ChannelTestResponseSchema>;
