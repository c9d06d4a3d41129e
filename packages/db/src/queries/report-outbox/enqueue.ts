import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import { toJson, type JsonValue } from "../../tables/common.js";
import type {
  OutboxChannelKind,
  OutboxKind,
} from "../../tables/report-outbox.js";

export interface OutboxEntry {
  projectId: string;
  executionId: number | null;
  kind: OutboxKind;
  /** Stable per report; the unique key makes a second enqueue of the same report a no-op. */
  idempotencyKey: string;
  /** The env var naming the URL, or null for the global REPORT_URL. Never the URL itself. */
  targetEnv: string | null;
  /** The exact JSON body to POST (an email is rendered from it). */
  payload: JsonValue;
  maxAttempts: number;
  /**
   * The channel this row goes to; one report or alert makes one row per channel.
   * @default { name: "default", kind: "webhook" } (report.url_env / REPORT_URL)
   */
  channel?: {
    name: string;
    kind: OutboxChannelKind;
    /** What the sender needs besides target_env; never a secret. */
    options?: JsonValue;
  };
}

/**
 * Writes one outbox row inside the caller's transaction (the one that records the
 * execution), so a result never exists without its report or the other way round.
 * Returns the new row's id, or null when a row with this idempotency key and channel already exists.
 * The statement-level trigger on report_outbox sends NOTIFY vigil_outbox on commit.
 */
export async function enqueueOutboxEntry(
  trx: Transaction<Database>,
  e: OutboxEntry,
): Promise<number | null> {
  const row = await trx
    .insertInto("report_outbox")
    .values({
      project_id: e.projectId,
      execution_id: e.executionId,
      kind: e.kind,
      idempotency_key: e.idempotencyKey,
      target_env: e.targetEnv,
      payload: toJson(e.payload),
      max_attempts: e.maxAttempts,
      next_attempt_at: sql<Date>`now()`,
      channel_name: e.channel?.name ?? "default",
      channel_kind: e.channel?.kind ?? "webhook",
      channel_options: toJson(e.channel?.options ?? {}),
    })
    .onConflict((oc) =>
      oc.columns(["idempotency_key", "channel_name"]).doNothing(),
    )
    .returning("id")
    .executeTakeFirst();
  return row?.id ?? null;
}
