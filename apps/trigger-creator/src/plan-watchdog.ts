import type { ScheduleSilence, WatchdogReason } from "@vigil/db";
import { fireTimesBetween } from "@vigil/scheduling";

/** Windows tried, newest first, when looking back for a schedule's latest fire time. */
const LOOKBACK_MS = [
  3600_000,
  24 * 3600_000,
  32 * 24 * 3600_000,
  367 * 24 * 3600_000,
  5 * 367 * 24 * 3600_000,
];
/** Fire times read per window: an every-minute cron has 60 in the first one. */
const MAX_PER_WINDOW = 100_000;

export interface ExpectedFireOptions {
  cron: string;
  timezone: string;
  /** Fire times before this are not expected (the schedule or its project changed then). */
  since: Date;
  /** now - (timeout + grace): a fire time after this still has time to finish. */
  until: Date;
}

/**
 * The newest fire time in [since, until], or null when there is none: the one fire time the
 * watchdog holds the schedule to. Looks back in growing windows so that a frequent cron
 * reads few fire times and a yearly one is still found.
 * @throws SchedulingError for an invalid cron or timezone (the caller skips the schedule).
 */
export function expectedFireTime(o: ExpectedFireOptions): Date | null {
  if (o.until.getTime() < o.since.getTime()) {
    return null;
  }
  for (const span of LOOKBACK_MS) {
    // `after` is exclusive: one millisecond before `since` keeps a fire exactly at `since`
    const after = new Date(
      Math.max(o.since.getTime() - 1, o.until.getTime() - span),
    );
    const fires = fireTimesBetween({
      cron: o.cron,
      timezone: o.timezone,
      after,
      until: o.until,
      limit: MAX_PER_WINDOW,
    });
    const last = fires.at(-1);
    if (last !== undefined) {
      return last;
    }
    if (after.getTime() === o.since.getTime() - 1) {
      return null;
    }
  }
  return null;
}

export interface SilenceVerdict {
  reason: WatchdogReason;
  detail: string;
}

/**
 * Names why a schedule is silent from its triggers since the expected fire time. A running
 * trigger comes first (a stuck run makes `forbid` skip the ones after it), then due ones
 * nobody claimed, then skips and cancellations. The detail holds instants, not ages, so an
 * open episode's row is rewritten only when what the triggers show changes.
 */
export function classifySilence(
  s: ScheduleSilence,
  { expectedAt }: { expectedAt: Date },
): SilenceVerdict {
  const at = expectedAt.toISOString();
  if (s.total === 0) {
    return {
      reason: "no_trigger",
      detail: `no trigger was made for the fire time ${at} or after it`,
    };
  }
  if (s.running > 0 && s.oldest_running_since !== null) {
    return {
      reason: "stuck",
      detail: `a run claimed at ${s.oldest_running_since.toISOString()} is still running, past the project's timeout plus the grace; no run since ${at} finished`,
    };
  }
  if (s.pending > 0 && s.oldest_pending_at !== null) {
    return {
      reason: "missed",
      detail: `${s.pending} due trigger(s) not claimed by any executor, the oldest fired at ${s.oldest_pending_at.toISOString()}; no run since ${at} finished`,
    };
  }
  const why =
    s.last_skip_reason === null ? "" : ` (latest: ${s.last_skip_reason})`;
  if (s.skipped > 0) {
    return {
      reason: "skipped",
      detail: `skipped ${s.skipped} time(s) since ${at}${why}`.slice(0, 2000),
    };
  }
  if (s.cancelled > 0) {
    return {
      reason: "cancelled",
      detail: `cancelled ${s.cancelled} time(s) since ${at}${why}`.slice(
        0,
        2000,
      ),
    };
  }
  return {
    reason: "missed",
    detail: `${s.total} trigger(s) since ${at} ended without a finished run (lost or failed before running)`,
  };
}
