import { IANAZone } from "luxon";

/**
 * A zone's UTC offsets as a list of transitions, found once per zone and UTC year and kept.
 * luxon's IANAZone.offset() costs ~3.6 µs (an Intl formatToParts call); the trigger-creator
 * needs offsets for 100,000 schedules per pass, so each zone-year is probed once (daily,
 * 366 calls, ~1.3 ms) and every later lookup is a scan of a handful of transitions.
 *
 * Limitation: two transitions less than a day apart that cancel out are not seen (the daily
 * probes would read the same offset on both sides).
 */

/** A stretch of time with one offset: start <= t < end. Offsets are in milliseconds. */
export interface OffsetSegment {
  start: number;
  end: number;
  offset: number;
  /** The offset just before `start`; equal to `offset` at a year boundary without a transition. */
  offsetBefore: number;
}

interface Transition {
  at: number;
  before: number;
  after: number;
}

interface ZoneYear {
  start: number;
  end: number;
  startOffset: number;
  offsetBeforeStart: number;
  transitions: Transition[];
}

const DAY_MS = 86_400_000;
const zoneYears = new Map<string, Map<number, ZoneYear>>();

function offsetMs(zone: IANAZone, t: number): number {
  return Math.round(zone.offset(t) * 60_000);
}

function loadZoneYear(zone: IANAZone, year: number): ZoneYear {
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const startOffset = offsetMs(zone, start);
  const transitions: Transition[] = [];
  let probe = start;
  let probeOffset = startOffset;
  while (probe < end - 1000) {
    const next = Math.min(probe + DAY_MS, end - 1000);
    const nextOffset = offsetMs(zone, next);
    if (nextOffset !== probeOffset) {
      transitions.push(findTransition(zone, probe, next, probeOffset));
    }
    probe = next;
    probeOffset = nextOffset;
  }
  return {
    start,
    end,
    startOffset,
    offsetBeforeStart: offsetMs(zone, start - 1000),
    transitions,
  };
}

/** Binary search, to the second (tz transitions fall on whole seconds), for the first instant after `lo` with a new offset. */
function findTransition(
  zone: IANAZone,
  lo: number,
  hi: number,
  before: number,
): Transition {
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetMs(zone, mid) === before) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return { at: hi, before, after: offsetMs(zone, hi) };
}

function getZoneYear(timezone: string, year: number): ZoneYear {
  let years = zoneYears.get(timezone);
  if (years === undefined) {
    years = new Map();
    zoneYears.set(timezone, years);
  }
  let data = years.get(year);
  if (data === undefined) {
    data = loadZoneYear(IANAZone.create(timezone), year);
    years.set(year, data);
  }
  return data;
}

/** The segment of constant offset that contains instant `t` (segments never cross a UTC year). */
export function findOffsetSegment(timezone: string, t: number): OffsetSegment {
  const data = getZoneYear(timezone, new Date(t).getUTCFullYear());
  let segment: OffsetSegment = {
    start: data.start,
    end: data.end,
    offset: data.startOffset,
    offsetBefore: data.offsetBeforeStart,
  };
  for (const transition of data.transitions) {
    if (transition.at > t) {
      segment.end = transition.at;
      break;
    }
    segment = {
      start: transition.at,
      end: data.end,
      offset: transition.after,
      offsetBefore: transition.before,
    };
  }
  return segment;
}
