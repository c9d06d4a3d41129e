import type { ScheduleSilence } from "@vigil/db";
import { describe, expect, it } from "vitest";

import { classifySilence, expectedFireTime } from "./plan-watchdog.js";

const at = (iso: string) => new Date(iso);

describe("expectedFireTime", () => {
  it("is the newest fire time at or before the deadline cut-off", () => {
    expect(
      expectedFireTime({
        cron: "*/15 * * * *",
        timezone: "UTC",
        since: at("2026-03-01T00:00:00Z"),
        until: at("2026-03-02T10:14:59Z"),
      }),
    ).toEqual(at("2026-03-02T10:00:00Z"));
  });

  it("finds the fire time of a yearly cron far back", () => {
    expect(
      expectedFireTime({
        cron: "0 6 1 1 *",
        timezone: "Europe/Berlin",
        since: at("2020-01-01T00:00:00Z"),
        until: at("2026-03-02T10:00:00Z"),
      }),
    ).toEqual(at("2026-01-01T05:00:00Z"));
  });

  it("expects nothing before the schedule's last change, a fire exactly then included", () => {
    const o = { cron: "0 * * * *", timezone: "UTC" };
    expect(
      expectedFireTime({
        ...o,
        since: at("2026-03-02T10:00:01Z"),
        until: at("2026-03-02T10:59:00Z"),
      }),
    ).toBeNull();
    expect(
      expectedFireTime({
        ...o,
        since: at("2026-03-02T10:00:00Z"),
        until: at("2026-03-02T10:59:00Z"),
      }),
    ).toEqual(at("2026-03-02T10:00:00Z"));
    expect(
      expectedFireTime({
        ...o,
        since: at("2026-03-02T11:00:00Z"),
        until: at("2026-03-02T10:59:00Z"),
      }),
    ).toBeNull();
  });
});

const silence = (s: Partial<ScheduleSilence>): ScheduleSilence => ({
  schedule_id: 1,
  total: 0,
  pending: 0,
  running: 0,
  skipped: 0,
  cancelled: 0,
  oldest_pending_at: null,
  oldest_running_since: null,
  last_skip_reason: null,
  ...s,
});
const expectedAt = at("2026-03-02T10:00:00Z");

describe("classifySilence", () => {
  it("no trigger since the expected time: no_trigger", () => {
    expect(classifySilence(silence({}), { expectedAt }).reason).toBe(
      "no_trigger",
    );
  });

  it("a run still running comes before the skips it causes: stuck", () => {
    const v = classifySilence(
      silence({
        total: 4,
        running: 1,
        skipped: 3,
        oldest_running_since: at("2026-03-02T10:00:02Z"),
      }),
      { expectedAt },
    );
    expect(v).toEqual({
      reason: "stuck",
      detail:
        "a run claimed at 2026-03-02T10:00:02.000Z is still running, past the project's timeout plus the grace; no run since 2026-03-02T10:00:00.000Z finished",
    });
  });

  it("due triggers nobody claimed: missed", () => {
    const v = classifySilence(
      silence({
        total: 3,
        pending: 1,
        skipped: 2,
        oldest_pending_at: at("2026-03-02T10:30:00Z"),
      }),
      { expectedAt },
    );
    expect(v.reason).toBe("missed");
    expect(v.detail).toContain("1 due trigger(s) not claimed");
  });

  it("every run skipped: skipped, with the latest reason", () => {
    const v = classifySilence(
      silence({
        total: 2,
        skipped: 2,
        last_skip_reason: "missed its starting deadline (60 s after fire_at)",
      }),
      { expectedAt },
    );
    expect(v).toEqual({
      reason: "skipped",
      detail:
        "skipped 2 time(s) since 2026-03-02T10:00:00.000Z (latest: missed its starting deadline (60 s after fire_at))",
    });
  });

  it("cancelled runs only: cancelled", () => {
    expect(
      classifySilence(silence({ total: 1, cancelled: 1 }), { expectedAt })
        .reason,
    ).toBe("cancelled");
  });
});
