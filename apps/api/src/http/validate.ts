import type { z } from "zod";

import { AppError } from "./app-error.js";
import { describeIssues, summarizeIssues } from "./zod-issues.js";

/**
 * Parses path parameters, the query string or the body with a zod schema. Bad path and
 * query values are the caller's syntax error (400); a body that is JSON but not the
 * expected shape is unprocessable (422).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: "params" | "query" | "body",
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) {
    return result.data;
  }
  const details = describeIssues(result.error);
  const summary = summarizeIssues(details);
  switch (where) {
    case "params":
      throw new AppError(
        "invalid_parameter",
        `invalid path parameter: ${summary}`,
        details,
      );
    case "query":
      throw new AppError(
        "invalid_query",
        `invalid query string: ${summary}`,
        details,
      );
    case "body":
      throw new AppError(
        "validation_failed",
        `invalid request body: ${summary}`,
        details,
      );
  }
}
