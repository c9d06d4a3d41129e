import { describe, expect, it } from "vitest";

import { PROJECT_LIMITS, ProjectConfigSchema } from "./project-config.js";

const base = { data_source: { type: "manual" } };

describe("ProjectConfigSchema: the settings the claim applies", () => {
  it("takes a team name and defaults attempts and concurrency to the limits' defaults", () => {
    const parsed = ProjectConfigSchema.parse({ ...base, team: "finance-eu" });
    expect(parsed).toMatchObject({
      team: "finance-eu",
      max_attempts: PROJECT_LIMITS.max_attempts.default,
      max_concurrency: PROJECT_LIMITS.max_concurrency.default,
    });
    expect(ProjectConfigSchema.parse(base).team).toBeUndefined();
  });

  it("rejects a team that TEAM_MAX_RUNNING could not name, saying what a team is", () => {
    for (const team of ["Finance", "", "fin ance", "-ops", "x".repeat(64), 4]) {
      const r = ProjectConfigSchema.safeParse({ ...base, team });
      expect(r.success, JSON.stringify(team)).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(["team"]);
    }
    expect(
      ProjectConfigSchema.safeParse({ ...base, team: "Finance" }).error
        ?.issues[0]?.message,
    ).toBe(
      "a team is 1 to 63 lowercase letters, digits, _ or -, starting with a letter or digit",
    );
  });

  it("bounds max_attempts and max_concurrency by PROJECT_LIMITS", () => {
    for (const field of ["max_attempts", "max_concurrency"] as const) {
      const { min, max } = PROJECT_LIMITS[field];
      for (const ok of [min, max]) {
        expect(
          ProjectConfigSchema.safeParse({ ...base, [field]: ok }).success,
        ).toBe(true);
      }
      for (const bad of [min - 1, max + 1, 1.5]) {
        expect(
          ProjectConfigSchema.safeParse({ ...base, [field]: bad }).success,
        ).toBe(false);
      }
    }
  });
});
