import { z } from "zod";

import { envInteger, type IntegerBounds } from "./integer.js";

export interface IntegerMapOptions extends IntegerBounds {
  /** What a key must look like, and how to say so. */
  keyPattern: RegExp;
  keyHint: string;
}

/**
 * Named integers such as `TEAM_MAX_RUNNING=finance=4,ops=2`: comma-separated `name=integer`
 * entries, trimmed, empty entries dropped. A bad entry is reported by its 1-based position and
 * what is wrong with it; a name given twice is an error rather than a silent override.
 */
export function envIntegerMap(options: IntegerMapOptions) {
  const { keyPattern, keyHint, ...bounds } = options;
  const integer = envInteger(bounds);
  return z.string().transform((text, ctx) => {
    const map: Record<string, number> = {};
    let valid = true;
    const problem = (index: number, message: string) => {
      valid = false;
      ctx.addIssue({
        code: "custom",
        message: `entry ${index + 1}: ${message}`,
      });
    };
    text
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "")
      .forEach((entry, index) => {
        const eq = entry.indexOf("=");
        if (eq < 0) {
          problem(index, "expected name=integer");
          return;
        }
        const key = entry.slice(0, eq).trim();
        if (!keyPattern.test(key)) {
          problem(index, `the name must be ${keyHint}`);
          return;
        }
        if (Object.hasOwn(map, key)) {
          problem(index, `${key} is given twice`);
          return;
        }
        const parsed = integer.safeParse(entry.slice(eq + 1));
        if (!parsed.success) {
          problem(
            index,
            `${key}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
          );
          return;
        }
        map[key] = parsed.data;
      });
    return valid ? map : z.NEVER;
  });
}
