import type { Fence } from "../../tables/triggers.js";

/**
 * The fence of one claim: the worker AND the attempt it claimed. `attempt` makes the fence a
 * token: if a trigger is rescued and later claimed again by the same worker id (a process that
 * froze past its lease and resumed), the old run's writes still fail, because the attempt moved on.
 */
export type ClaimFence = Fence & { attempt: number };
