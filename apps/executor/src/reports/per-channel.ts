import type { OutboxEntry } from "@vigil/db";

import type { OutboxChannel } from "./plan-report.js";

/**
 * One message as one outbox entry per channel (reportChannels, alertChannels): each channel
 * gets its own row, retries and dead letter under the same idempotency key.
 */
export function perChannel(
  channels: readonly OutboxChannel[],
  entry: Omit<OutboxEntry, "targetEnv" | "channel">,
): OutboxEntry[] {
  return channels.map((channel) => ({
    ...entry,
    targetEnv: channel.targetEnv,
    channel: {
      name: channel.name,
      kind: channel.kind,
      options: channel.options,
    },
  }));
}
