import { nextMatchingWall, type CronSpec } from "./cron-spec.js";
import { findOffsetSegment, type OffsetSegment } from "./zone-offsets.js";

/**
 * Walks a zone's timeline segment by segment (a segment has one UTC offset), so that within
 * a segment wall time and instant move together (instant = wall - offset) and the DST rules
 * only have to be applied at segment starts:
 *
 * - spring-forward (offset grows): walls in [start + before, start + offset) do not exist.
 *   Interval schedules skip them; a fixed-time schedule with any match there fires once at
 *   `start`, the first valid instant after the gap.
 * - fall-back (offset shrinks): walls in [start + offset, start + before) happen again.
 *   Interval schedules fire again (real spacing); fixed-time ones skip them (first pass only).
 *
 * cron-parser 5.10.5 iterates in the zone itself and gets both wrong (see fire-times.test.ts).
 */

/** Searching further than this finds nothing a scheduler could use (the rarest pattern, `* * * 2 1#5`, repeats within 40 years). */
const HORIZON_MS = 100 * 365.25 * 86_400_000;
/** Larger than any fall-back (1 h today; 2 h historically), so a jump never lands past a repeated wall. */
const FOLD_MARGIN_MS = 86_400_000;
/** Offsets lie within -12 h..+14 h, so the earliest instant of wall w is after w - 15 h. */
const MAX_OFFSET_MS = 15 * 3_600_000;

/**
 * Calls `visit` with each fire instant (ms) strictly after `after`, in increasing order,
 * until `visit` returns false, an instant passes `until`, or the horizon is reached.
 */
export function visitFireTimes(
  spec: CronSpec,
  timezone: string,
  after: number,
  until: number,
  visit: (instant: number) => boolean,
): void {
  const horizon = Math.min(until, after + HORIZON_MS);
  let segment = findOffsetSegment(timezone, after);
  let last = after;
  const emit = (instant: number): boolean => {
    if (instant <= last) {
      return true;
    }
    if (instant > horizon) {
      return false;
    }
    last = instant;
    return visit(instant);
  };
  for (;;) {
    if (!visitSegment(spec, segment, after, emit)) {
      return;
    }
    if (segment.end > horizon) {
      return;
    }
    const next = nextMatchingWall(
      spec,
      segment.end + segment.offset - FOLD_MARGIN_MS,
      horizon + MAX_OFFSET_MS,
    );
    if (next === null) {
      return;
    }
    // Skip empty stretches (a yearly schedule) without loading the zone's data for every year in between.
    const jumpTo = next - MAX_OFFSET_MS;
    segment = findOffsetSegment(
      timezone,
      jumpTo > segment.end ? jumpTo : segment.end,
    );
  }
}

function visitSegment(
  spec: CronSpec,
  segment: OffsetSegment,
  after: number,
  emit: (instant: number) => boolean,
): boolean {
  const { start, end, offset, offsetBefore } = segment;
  if (spec.fixedTime && start > after && offsetBefore < offset) {
    const skipped = nextMatchingWall(
      spec,
      start + offsetBefore,
      start + offset,
    );
    if (skipped !== null && !emit(start)) {
      return false;
    }
  }
  let wall = Math.max(after + 1, start) + offset;
  if (spec.fixedTime && offsetBefore > offset) {
    wall = Math.max(wall, start + offsetBefore);
  }
  const wallEnd = end + offset;
  for (;;) {
    const match = nextMatchingWall(spec, wall, wallEnd);
    if (match === null) {
      return true;
    }
    if (!emit(match - offset)) {
      return false;
    }
    wall = match + 1000;
  }
}
