import { describe, expect, it } from "vitest";

import { resolveRetentionPolicy } from "./retention-policy.js";

const defaults = { keepLast: 100, maxAgeDays: 30, failedMaxAgeDays: null };

describe("resolveRetentionPolicy", () => {
  it("uses the env defaults for a project without an override", () => {
    expect(resolveRetentionPolicy(defaults, null)).toEqual({
      policy: defaults,
      ignored: [],
    });
  });

  it("takes each key a project overrides and the default for the others", () => {
    expect(
      resolveRetentionPolicy(defaults, {
        keep_last: 5,
        failed_max_age_days: 90,
      }).policy,
    ).toEqual({
      keepLast: 5,
      maxAgeDays: 30,
      failedMaxAgeDays: 90,
    });
  });

  it("ignores unusable values, names them, and keeps the default", () => {
    expect(
      resolveRetentionPolicy(defaults, {
        keep_last: 0,
        max_age_days: "7",
        failed_max_age_days: 2.5,
      }),
    ).toEqual({
      policy: defaults,
      ignored: ["keep_last", "max_age_days", "failed_max_age_days"],
    });
  });

  it("treats a retention value that is not an object as no override", () => {
    expect(resolveRetentionPolicy(defaults, [1, 2]).policy).toEqual(defaults);
  });
});
