import { PROJECT_LIMITS, ProjectConfigSchema } from "@vigil/contracts";
import { dbTest, insertProject } from "@vigil/db/testing";
import { expect } from "vitest";

// The contract's schema parses max_attempts, max_concurrency and team; PostgreSQL derives the
// columns the claim and this app read (projects.max_attempts, max_concurrency, team) from the
// stored config. Every config the contract accepts must derive exactly what it parses, and one it
// rejects (written past the API) must still land inside the contract's bounds.

const base = { data_source: { type: "manual" } };

dbTest(
  "projects' derived max_attempts, max_concurrency and team equal the contract's parse, and stay inside its bounds for configs it rejects",
  async ({ db }) => {
    const cases: Record<string, unknown>[] = [];
    for (const field of ["max_attempts", "max_concurrency"] as const) {
      const { min, max } = PROJECT_LIMITS[field];
      for (const value of [min - 1, min, 3, max, max + 1, 2.5, "7", null]) {
        cases.push({ [field]: value });
      }
    }
    cases.push({}, { team: "finance" }, { team: 7 }, { team: "Not A Team" });
    for (const extra of cases) {
      const config = { ...base, ...extra };
      const p = await insertProject(db, { config });
      const row = await db
        .selectFrom("projects")
        .select(["max_attempts", "max_concurrency", "team"])
        .where("id", "=", p.id)
        .executeTakeFirstOrThrow();
      const parsed = ProjectConfigSchema.safeParse(config);
      if (parsed.success) {
        expect(row, JSON.stringify(extra)).toEqual({
          max_attempts: parsed.data.max_attempts,
          max_concurrency: parsed.data.max_concurrency,
          team: parsed.data.team ?? null,
        });
      } else {
        for (const field of ["max_attempts", "max_concurrency"] as const) {
          const { min, max } = PROJECT_LIMITS[field];
          expect(row[field], JSON.stringify(extra)).toBeGreaterThanOrEqual(min);
          expect(row[field], JSON.stringify(extra)).toBeLessThanOrEqual(max);
        }
      }
    }
    // the bounds themselves: the contract rejects one past them, the column clamps to them
    for (const field of ["max_attempts", "max_concurrency"] as const) {
      const { max } = PROJECT_LIMITS[field];
      expect(
        ProjectConfigSchema.safeParse({ ...base, [field]: max }).success,
      ).toBe(true);
      expect(
        ProjectConfigSchema.safeParse({ ...base, [field]: max + 1 }).success,
      ).toBe(false);
      const p = await insertProject(db, {
        config: { ...base, [field]: max + 1 },
      });
      const row = await db
        .selectFrom("projects")
        .select([field])
        .where("id", "=", p.id)
        .executeTakeFirstOrThrow();
      expect(row[field]).toBe(max);
    }
  },
);
