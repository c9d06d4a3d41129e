import { describe, expect, it } from "vitest";

import { createWakeup } from "./wakeup.js";

describe("createWakeup", () => {
  it("ends a wait at once on notify, and keeps a notify that came while nobody waited", async () => {
    const wakeup = createWakeup();
    const signal = new AbortController().signal;
    const started = Date.now();
    const waiting = wakeup.wait(10_000, signal);
    wakeup.notify();
    await waiting;
    wakeup.notify();
    await wakeup.wait(10_000, signal);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("ends a wait when the signal aborts and otherwise after the timeout", async () => {
    const wakeup = createWakeup();
    const controller = new AbortController();
    const waiting = wakeup.wait(10_000, controller.signal);
    controller.abort();
    await waiting;
    const started = Date.now();
    await wakeup.wait(30, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
