import type { EnvVarDoc } from "../env-vars.js";
import type { EnvVarName } from "../fragments/index.js";

/** The variables of `npm start` (vigil start), in the order the README's table lists them. */
export const startDocs = {
  VIGIL_PG_PORT: {
    default: "54329",
    meaning: "Port of the embedded PostgreSQL started by `npm start`.",
  },
  VIGIL_DATA_DIR: {
    default: ".vigil",
    meaning:
      "Local state of `npm start`: `pgdata/` (the embedded database) and logs.",
  },
} satisfies Partial<Record<EnvVarName, EnvVarDoc>>;
