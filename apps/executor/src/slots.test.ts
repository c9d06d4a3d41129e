import { describe, expect, it } from "vitest";

import { createSlots } from "./slots.js";

describe("createSlots", () => {
  it("counts free slots and refuses to over-commit", () => {
    const slots = createSlots(2);
    slots.take();
    slots.take();
    expect(slots.free()).toBe(0);
    expect(() => slots.take()).toThrow(/no free slot/);
    slots.release();
    expect(slots.free()).toBe(1);
  });

  it("reports drained once the last run releases its slot, and tells the listener on every release", async () => {
    let released = 0;
    const slots = createSlots(2, () => (released += 1));
    slots.take();
    slots.take();
    const drained = slots.drained();
    slots.release();
    slots.release();
    await drained;
    expect(released).toBe(2);
  });

  it("stops waiting for a drain when the signal aborts", async () => {
    const slots = createSlots(1);
    slots.take();
    const controller = new AbortController();
    const waiting = slots.drained(controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
  });
});
