import { z } from "zod";

const TRUE_WORDS = new Set(["true", "1", "yes"]);
const FALSE_WORDS = new Set(["false", "0", "no"]);

/**
 * A boolean variable. Accepts true/false, 1/0 and yes/no in any case.
 * Not `z.coerce.boolean()`: that calls `Boolean("false")`, which is `true`.
 */
export function envBoolean() {
  return z
    .string()
    .trim()
    .transform((text, ctx) => {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) {
        return true;
      }
      if (FALSE_WORDS.has(word)) {
        return false;
      }
      ctx.addIssue({
        code: "custom",
        message: "expected one of true, false, 1, 0, yes, no",
      });
      return z.NEVER;
    });
}
