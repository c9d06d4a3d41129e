import type { RunResult } from "@vigil/runner";
import { verifyDetectorResult } from "@vigil/synthesizer";

import {
  cancelReasonOf,
  type ProcessSummary,
  type RecordedFinding,
  type RunDetails,
  type RunOutcome,
  type RuleSummary,
  type RunningRule,
} from "./outcome.js";
import { collectFindings } from "./collect-findings.js";

/**
 * PostgreSQL text and jsonb refuse U+0000, and jsonb refuses lone surrogates: one such character
 * in a detector's output or a finding would make the whole record fail and strand the trigger
 * until its lease expires. Both become U+FFFD.
 */
const UNSTORABLE =
  /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const storable = (text: string): string => text.replace(UNSTORABLE, "\uFFFD");

function storableJson(value: unknown): unknown {
  if (typeof value === "string") {
    return storable(value);
  }
  if (Array.isArray(value)) {
    return value.map(storableJson);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [storable(k), storableJson(v)]),
    );
  }
  return value;
}

function storableFinding(f: RecordedFinding): RecordedFinding {
  return {
    ...f,
    key: storable(f.key),
    message: storable(f.message),
    ...(f.data === undefined ? {} : { data: storableJson(f.data) }),
  };
}

const storableRule = (r: RuleSummary): RuleSummary => ({
  ...r,
  ruleId: storable(r.ruleId),
  ...(r.error === undefined ? {} : { error: storable(r.error) }),
});

/**
 * A rule whose allocation failed under the memory cap (a Buffer bomb throws a catchable
 * RangeError instead of killing the process) fails the run as a memory failure, the same as a
 * heap bomb that kills it. Rule code can throw this text itself; that only fails its own run.
 */
const RULE_MEMORY_ERROR =
  /Array buffer allocation failed|ERR_MEMORY_ALLOCATION_FAILED|Allocation failed|Cannot allocate memory|ENOMEM/;

export function summarizeProcess(res: RunResult): ProcessSummary {
  const tail = (o: RunResult["stdout"]) =>
    o.truncated
      ? `${o.head}\n[... ${o.totalBytes} bytes in total ...]\n${o.tail}`
      : o.head;
  return {
    exitCode: res.exitCode,
    signal: res.signal,
    stdoutTail: storable(tail(res.stdout)),
    stderrTail: storable(tail(res.stderr)),
    stdoutBytes: res.stdout.totalBytes,
    stderrBytes: res.stderr.totalBytes,
  };
}

/**
 * The line of stderr that says what went wrong: the last line that starts with an error (Node ends
 * an uncaught exception with its own version line, which says nothing), else the last line.
 */
function telltaleLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^Node\.js v\d/.test(l));
  const errorLine =
    lines.findLast((l) => /^(\w*Error\b|Uncaught\b)/.test(l)) ??
    lines.findLast((l) => /\b(ERR_[A-Z_]+|EACCES|EPERM|ENOENT)\b/.test(l));
  return storable((errorLine ?? lines.at(-1) ?? "").slice(0, 500));
}

/**
 * Maps what the runner saw to a RunOutcome. Order matters: a timeout wins over everything, a
 * cancellation over exit codes, memory over a plain crash; a clean exit still needs a verified,
 * well-formed result to count as success.
 */
export function classifyRun(
  res: RunResult,
  ctx: {
    nonce: string;
    signal: AbortSignal;
    memoryMb: number;
    details: RunDetails;
    /** For a timeout: the rule the detector said it was running (readRunningRule). */
    runningRule?: RunningRule;
  },
): RunOutcome {
  const details: RunDetails = {
    ...ctx.details,
    process: summarizeProcess(res),
  };
  if (res.spawnError !== undefined) {
    return {
      kind: "failed",
      message: `the detector could not be started: ${res.spawnError}`,
      details,
    };
  }
  if (res.timedOut) {
    return {
      kind: "timed_out",
      afterMs: res.durationMs,
      ...(ctx.runningRule === undefined
        ? {}
        : {
            runningRule: {
              ...ctx.runningRule,
              ruleId: storable(ctx.runningRule.ruleId),
            },
          }),
      details,
    };
  }
  if (res.cancelled) {
    return { kind: "cancelled", reason: cancelReasonOf(ctx.signal), details };
  }
  if (res.memoryExceeded) {
    return {
      kind: "failed",
      message: `the detector ran out of memory (limit ${ctx.memoryMb} MB)`,
      details,
    };
  }
  if (res.exitCode !== 0) {
    const how = res.signal
      ? `was killed by ${res.signal}`
      : `exited with code ${res.exitCode}`;
    const why = telltaleLine(res.stderr.tail || res.stderr.head);
    return {
      kind: "failed",
      message: `the detector ${how}${why ? `: ${why}` : ""}`,
      details,
    };
  }
  if (res.result?.truncated) {
    return {
      kind: "failed",
      message: "the detector's result exceeded the result size limit",
      details,
    };
  }
  // the protocol's verifier: the one line whose mac verifies counts, lines rule code wrote are ignored
  const verified = verifyDetectorResult(res.result?.text ?? "", ctx.nonce);
  if (!verified.ok) {
    return { kind: "failed", message: storable(verified.message), details };
  }
  const { findings, rules } = collectFindings(verified.result);
  const outOfMemory = rules.find(
    (r) => r.status === "error" && RULE_MEMORY_ERROR.test(r.error ?? ""),
  );
  if (outOfMemory) {
    const message = `the detector ran out of memory (limit ${ctx.memoryMb} MB) in rule "${outOfMemory.ruleId}": ${outOfMemory.error ?? ""}`;
    return {
      kind: "failed",
      message: storable(message.slice(0, 1000)),
      details,
    };
  }
  return {
    kind: "succeeded",
    findings: findings.map(storableFinding),
    rules: rules.map(storableRule),
    details: { ...details, rowCount: verified.result.rowCount },
  };
}
