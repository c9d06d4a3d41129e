// The queries of queue/, one statement per file; ../index.ts re-exports them.

export { listQueue, type QueueItem } from "./list.js";
export { getQueueDepth, type QueueDepth } from "./depth.js";
