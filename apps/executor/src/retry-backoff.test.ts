import { describe, expect, it } from "vitest";

import { retryDelayMs } from "./retry-backoff.js";

describe("retryDelayMs", () => {
  it("doubles per attempt and stays between half and all of the nominal delay", () => {
    expect(
      retryDelayMs({
        attempt: 1,
        baseMs: 1000,
        maxMs: 60_000,
        random: () => 0,
      }),
    ).toBe(500);
    expect(
      retryDelayMs({
        attempt: 1,
        baseMs: 1000,
        maxMs: 60_000,
        random: () => 1,
      }),
    ).toBe(1000);
    expect(
      retryDelayMs({
        attempt: 3,
        baseMs: 1000,
        maxMs: 60_000,
        random: () => 1,
      }),
    ).toBe(4000);
  });

  it("never exceeds the cap, however many attempts failed", () => {
    expect(
      retryDelayMs({
        attempt: 40,
        baseMs: 1000,
        maxMs: 60_000,
        random: () => 1,
      }),
    ).toBe(60_000);
  });
});
