// The queries of execution-inputs/, one statement per file; ../index.ts re-exports them.

export {
  describeExecutionInput,
  type ExecutionInputState,
} from "./describe.js";
export { getExecutionInput, type StoredExecutionInput } from "./get.js";
export { insertExecutionInputs } from "./insert.js";
export { pruneExecutionInputsByAge } from "./prune-age.js";
export { pruneExecutionInputsOverTotal } from "./prune-total.js";
export { getReplayOf } from "./replay-of.js";
export { requestReplay } from "./request-replay.js";
