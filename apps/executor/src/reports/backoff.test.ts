import { describe, expect, it } from "vitest";

import { computeRetryDelayMs, MAX_RETRY_AFTER_MS } from "./backoff.js";

describe("retry delay", () => {
  it("doubles from the base per attempt and stops at the cap", () => {
    expect(
      [1, 2, 3, 4].map((attempt) =>
        computeRetryDelayMs({ attempt, random: 0 }),
      ),
    ).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(computeRetryDelayMs({ attempt: 30, random: 0 })).toBe(1_800_000);
  });

  it("adds at most 25% jitter, never less than the schedule", () => {
    expect(computeRetryDelayMs({ attempt: 1, random: 0.999_999 })).toBe(12_500);
    expect(computeRetryDelayMs({ attempt: 2, random: 0.5, baseMs: 100 })).toBe(
      225,
    );
  });

  it("takes the receiver's Retry-After over the schedule, clamped to an hour", () => {
    expect(
      computeRetryDelayMs({ attempt: 5, random: 0.3, retryAfterMs: 1000 }),
    ).toBe(1000);
    expect(
      computeRetryDelayMs({
        attempt: 1,
        random: 0.3,
        retryAfterMs: 86_400_000,
      }),
    ).toBe(MAX_RETRY_AFTER_MS);
  });

  it("keeps ten attempts with the defaults spread over more than an hour", () => {
    let total = 0;
    for (let attempt = 1; attempt < 10; attempt++) {
      total += computeRetryDelayMs({ attempt, random: 0 });
    }
    expect(total).toBeGreaterThan(3_600_000);
  });
});
