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

describe("ProjectConfigSchema: channels", () => {
  const base = { data_source: { type: "manual" } };
  const issues = (input: unknown) => {
    const parsed = ProjectConfigSchema.safeParse(input);
    return parsed.success
      ? []
      : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("takes webhook, slack and email channels named by report.channels and alert.channels", () => {
    const config = ProjectConfigSchema.parse({
      ...base,
      channels: [
        { name: "hook", kind: "webhook", url_env: "VIGIL_SECRET_HOOK" },
        { name: "chat", kind: "slack", url_env: "VIGIL_SECRET_CHAT" },
        {
          name: "mail",
          kind: "email",
          to: ["ops@example.com"],
          subject_prefix: "[x]",
        },
      ],
      report: { channels: ["hook", "mail"] },
      alert: { channels: ["chat"] },
    });
    expect(config.report.channels).toEqual(["hook", "mail"]);
    expect(config.alert?.slack_webhook_env).toBeUndefined();
  });

  it("names the field of an unknown channel, a duplicate, a bad address and an alert with nowhere to go", () => {
    expect(
      issues({
        ...base,
        channels: [
          { name: "mail", kind: "email", to: ["not an address"] },
          { name: "mail", kind: "webhook", url_env: "VIGIL_SECRET_X" },
        ],
        report: { channels: ["nope"] },
      }),
    ).toEqual([
      "channels.0.to.0: must be an email address such as ops@example.com (no display name)",
      "channels.1.name: channel mail is defined twice",
      "report.channels.0: no channel named nope in channels",
    ]);
    expect(issues({ ...base, alert: {} })).toEqual([
      "alert.slack_webhook_env: an alert needs slack_webhook_env or channels",
    ]);
    expect(
      issues({
        ...base,
        channels: [
          { name: "default", kind: "slack", url_env: "VIGIL_SECRET_X" },
        ],
      }),
    ).toHaveLength(1);
  });
});
