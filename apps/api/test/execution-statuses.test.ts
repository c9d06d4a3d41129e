import { sql } from "kysely";
import { expect } from "vitest";

import { EXECUTION_STATUSES as CONTRACT_STATUSES } from "@vigil/contracts";
import { EXECUTION_STATUSES as DB_STATUSES } from "@vigil/db";
import { dbTest } from "@vigil/db/testing";

dbTest(
  "the API's execution statuses, the database layer's and the executions_status_check constraint's are the same list",
  async ({ db }) => {
    const { rows } = await sql<{ definition: string }>`
      SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conname = 'executions_status_check'`.execute(db);
    const inConstraint = [
      ...(rows[0]?.definition ?? "").matchAll(/'([a-z_]+)'/g),
    ].map((m) => m[1]);
    expect([...CONTRACT_STATUSES].sort()).toEqual([...DB_STATUSES].sort());
    expect([...CONTRACT_STATUSES].sort()).toEqual(inConstraint.sort());
  },
);
