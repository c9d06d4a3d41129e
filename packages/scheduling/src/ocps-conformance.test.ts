import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { nextFireTimes } from "./next-fire-times.js";
import { validateCron } from "./validate-schedule.js";

interface Fires {
  zone: string;
  after: string;
  next: string[];
}

interface Vector {
  pattern: string;
  section: string;
  source: string;
  quote: string;
  spec: "valid" | "invalid";
  vigil: "accept" | "reject";
  deviation?: string;
  message?: string;
  fires?: Fires[];
}

const { vectors } = JSON.parse(
  readFileSync(
    new URL("../conformance/ocps-vectors.json", import.meta.url),
    "utf8",
  ),
) as { vectors: Vector[] };

const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");

describe("OCPS conformance vectors (conformance/ocps-vectors.json)", () => {
  it("has a vector for every section it covers and documents each deviation", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(70);
    for (const v of vectors) {
      const deviates = (v.spec === "valid") !== (v.vigil === "accept");
      expect(v.deviation !== undefined, v.pattern).toBe(deviates);
      expect(v.source, v.pattern).toMatch(
        /^https:\/\/github\.com\/open-source-cron\/ocps\//,
      );
      expect(v.message !== undefined, v.pattern).toBe(v.vigil === "reject");
    }
  });

  it.each(vectors.map((v) => [`${v.section}: "${v.pattern}"`, v] as const))(
    "%s",
    (_name, v) => {
      const result = validateCron(v.pattern);
      if (v.vigil === "reject") {
        expect(result).toEqual({ ok: false, message: v.message });
        return;
      }
      expect(result.ok).toBe(true);
      for (const fires of v.fires ?? []) {
        const got = nextFireTimes({
          cron: v.pattern,
          timezone: fires.zone,
          after: new Date(fires.after),
          count: fires.next.length,
        }).map(iso);
        expect(got, `${fires.zone} after ${fires.after}`).toEqual(fires.next);
      }
    },
  );
});
