import { expect, it } from "vitest";

import { locationIn } from "./collect-findings.js";

it("locationIn takes the innermost frame in a rule file, past the runtime's own frames", () => {
  const stack = [
    'TypeError: module "net" is not available to rules',
    "    at guard (file:///run/detector/runtime/rule-guards.mjs:40:11)",
    "    at detect (file:///run/detector/rules/02-stock-check.mjs:7:15)",
    "    at detect (file:///run/detector/rules/01-helper.mjs:2:3)",
  ].join("\n");
  expect(locationIn(stack)).toEqual({ line: 7, column: 15 });
  expect(
    locationIn("Error: x\n    at file:///run/detector/rules/01-rule.mjs:3:1"),
  ).toEqual({ line: 3, column: 1 });
  expect(
    locationIn(
      "Error: x\n    at f (file:///run/detector/runtime/run-rule.mjs:1:1)",
    ),
  ).toEqual({});
});
