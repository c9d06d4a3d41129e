import { parse } from "acorn";
import { explainDisallowedImport } from "./import-policy.js";
import { scanModule } from "./scan-module.js";
import type { DetectorPackages } from "./types.js";

/** Largest rule module accepted, in UTF-8 bytes. Rules are logic, not data; 256 KiB is plenty. */
export const MAX_RULE_CODE_BYTES = 256 * 1024;

export interface RuleCodeProblem {
  ruleId: string;
  message: string;
  /** 1-based; null when the problem is about the module as a whole (size, missing export). */
  line: number | null;
  /** 1-based; null like `line`. */
  column: number | null;
}

export type RuleCodeCheck =
  | {
      ok: true;
      imports: string[];
      /** It exports `detectStream`: the runtime calls that, with an async iterable of rows. */
      streams: boolean;
    }
  | { ok: false; errors: RuleCodeProblem[] };

export interface CheckRuleCodeOptions {
  /** Packages the operator made available to detectors; none by default. */
  packages?: DetectorPackages;
}

interface AcornSyntaxError extends SyntaxError {
  loc?: { line: number; column: number };
}

function parseModule(ruleId: string, code: string) {
  try {
    return {
      program: parse(code, {
        ecmaVersion: "latest",
        sourceType: "module",
        locations: true,
        allowHashBang: true,
      }),
    };
  } catch (err) {
    const syntax = err as AcornSyntaxError;
    // acorn appends " (line:column)" to its message; the numbers are reported as fields instead.
    const message = `rule ${JSON.stringify(ruleId)} has a syntax error: ${syntax.message.replace(/ \(\d+:\d+\)$/, "")}`;
    return {
      error: {
        ruleId,
        message,
        line: syntax.loc?.line ?? null,
        column: syntax.loc === undefined ? null : syntax.loc.column + 1,
      },
    };
  }
}

/**
 * Checks a rule's code before anything runs (and when the API stores it): size, ES module
 * syntax, an exported `detect` (`export function detect`, `export async function detect`,
 * `export const detect = ...` or `export { fn as detect }`; or the same for `detectStream`), and every import against the
 * allow-list (see import-policy.ts). Returns every problem found, not just the first.
 */
export function checkRuleCode(
  ruleId: string,
  code: string,
  options: CheckRuleCodeOptions = {},
): RuleCodeCheck {
  const bytes = Buffer.byteLength(code, "utf8");
  if (bytes > MAX_RULE_CODE_BYTES) {
    return {
      ok: false,
      errors: [
        {
          ruleId,
          message: `rule ${JSON.stringify(ruleId)} is ${bytes} bytes of code; the limit is ${MAX_RULE_CODE_BYTES}`,
          line: null,
          column: null,
        },
      ],
    };
  }
  const parsed = parseModule(ruleId, code);
  if (parsed.error !== undefined) {
    return { ok: false, errors: [parsed.error] };
  }
  const scan = scanModule(parsed.program);
  const errors: RuleCodeProblem[] = scan.problems.map((p) => ({
    ruleId,
    ...p,
    message: `rule ${JSON.stringify(ruleId)}: ${p.message}`,
  }));
  for (const { specifier, line, column } of scan.imports) {
    const message = explainDisallowedImport(
      ruleId,
      specifier,
      options.packages,
    );
    if (message !== null) {
      errors.push({ ruleId, message, line, column });
    }
  }
  if (!scan.exportsDetect && !scan.exportsDetectStream) {
    const hint = scan.hasDefaultExport ? " (a default export is not used)" : "";
    errors.push({
      ruleId,
      message: `rule ${JSON.stringify(ruleId)} must export a function named detect, e.g. export function detect(rows, params, ctx) { ... } (or detectStream, called with an async iterable of rows)${hint}`,
      line: null,
      column: null,
    });
  }
  if (errors.length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    imports: [...new Set(scan.imports.map((i) => i.specifier))],
    streams: scan.exportsDetectStream,
  };
}

/** Whether already checked rule code exports `detectStream` (the manifest's `stream` flag). */
export function exportsDetectStream(code: string): boolean {
  const parsed = parseModule("", code);
  return (
    parsed.program !== undefined &&
    scanModule(parsed.program).exportsDetectStream
  );
}

/** Thrown by `synthesizeDetector` when any rule fails `checkRuleCode`; carries every problem. */
export class RuleCodeError extends Error {
  readonly errors: RuleCodeProblem[];

  constructor(errors: RuleCodeProblem[]) {
    const lines = errors.map((e) =>
      e.line === null
        ? e.message
        : `${e.message} (line ${e.line}, column ${e.column})`,
    );
    super(`rule code check failed:\n${lines.join("\n")}`);
    this.name = "RuleCodeError";
    this.errors = errors;
  }
}

/** Checks all rules; throws one RuleCodeError listing every problem of every rule. */
export function assertRulesLoadable(
  rules: ReadonlyArray<{ ruleId: string; code: string }>,
  options: CheckRuleCodeOptions = {},
): void {
  const errors = rules.flatMap((rule) => {
    const check = checkRuleCode(rule.ruleId, rule.code, options);
    return check.ok ? [] : check.errors;
  });
  if (errors.length > 0) {
    throw new RuleCodeError(errors);
  }
}
