import {
  DryRunRequestSchema,
  DryRunResponseSchema,
  ProjectConfigSchema,
  type DryRunResponse,
} from "@vigil/contracts";
import {
  insertDryRunRequest,
  listLiveWorkers,
  toJson,
  type Db,
  type JsonValue,
} from "@vigil/db";

import { STALE_WORKER_SECONDS } from "../deps.js";
import { AppError } from "../http/app-error.js";
import type { DryRunAnswers } from "../http/dry-run-answers.js";
import type { DryRunSlots } from "../http/dry-run-slots.js";
import { ProjectParamsSchema } from "./params.js";
import { requireProject } from "./require-project.js";
import { defineRoute, type RouteDef } from "./route.js";

export interface DryRunRouteDeps {
  db: Db;
  slots: DryRunSlots;
  answers: DryRunAnswers;
  /** DRY_RUN_WAIT_SECONDS: the wait beyond the run's timeout_seconds for an executor's answer. */
  waitSeconds: number;
}

/** What an executor writes as a request's answer (the `DryRunResult` of @vigil/dry-run). */
type ExecutorAnswer =
  | { kind: "ran"; answer: DryRunResponse }
  | { kind: "project_missing" }
  | { kind: "invalid_input"; path: string; message: string }
  | { kind: "error"; message: string };

/** The project's detector timeout: the request's config's, else the stored one's, else the default. */
function timeoutSecondsOf(
  requestConfig: { timeout_seconds: number } | undefined,
  stored: unknown,
): number {
  if (requestConfig !== undefined) {
    return requestConfig.timeout_seconds;
  }
  const parsed = ProjectConfigSchema.safeParse(stored);
  return parsed.success
    ? parsed.data.timeout_seconds
    : ProjectConfigSchema.parse({ data_source: { type: "manual" } })
        .timeout_seconds;
}

/** `POST /projects/{id}/dry-run`: an executor's run of the project, recorded nowhere. */
export function dryRunRoutes(deps: DryRunRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: "post",
      path: "/projects/:id/dry-run",
      tag: "projects",
      access: "write",
      summary:
        "Runs the project's detector now, with rules, rows, window or config of the request, and answers its findings and the plan of what it would open, reopen and resolve; changes nothing",
      description:
        "An executor runs it (handed over through the database): in its sandbox, with the project's limits, timeout and import policy, and with the data source's credentials the executors hold. A rule that throws, loops or imports what it may not is answered 200 with its error in `rules` or `outcome`. Without `rows` the project's source is read for `window` (default: the window of the project's next scheduled run; a run starting now without a schedule). Dry runs in flight are limited per token and per API process (429 with Retry-After). No executor answering within the project's `timeout_seconds` plus DRY_RUN_WAIT_SECONDS: 503 `unavailable`, and the request is withdrawn.",
      params: ProjectParamsSchema,
      bodyKind: "json",
      body: DryRunRequestSchema,
      bodyOptional: true,
      responses: {
        200: {
          description: "The run and its plan",
          schema: DryRunResponseSchema,
        },
      },
      audit: {
        none: "runs a detector and plans in a transaction that is rolled back; changes nothing",
      },
      handler: async ({ params, body, caller, res }) => {
        const project = await requireProject(deps.db, params.id);
        const release = deps.slots.acquire(caller ?? "anonymous");
        const waitSeconds =
          timeoutSecondsOf(body.config, project.config) + deps.waitSeconds;
        let id: number;
        try {
          id = await insertDryRunRequest(deps.db, {
            projectId: params.id,
            request: JSON.parse(toJson(body)) as JsonValue,
            tokenName: caller,
            waitSeconds,
          });
        } catch (err) {
          release();
          throw err;
        }
        const abort = new AbortController();
        const onClose = () => {
          if (!res.writableFinished) {
            abort.abort("closed");
          }
        };
        res.once("close", onClose);
        try {
          const waited = await deps.answers.wait(id, {
            ms: waitSeconds * 1000,
            signal: abort.signal,
          });
          if (waited.kind === "aborted") {
            throw new AppError(
              "bad_request",
              "the client went away before the dry run was answered",
            );
          }
          if (waited.kind === "expired") {
            const executors = (
              await listLiveWorkers(deps.db, {
                staleSeconds: STALE_WORKER_SECONDS,
              })
            ).filter((w) => w.app === "executor").length;
            const who =
              waited.workerId === null
                ? `no executor took the dry run within ${waitSeconds} s`
                : `executor ${waited.workerId} took the dry run but gave no answer within ${waitSeconds} s`;
            throw new AppError(
              "unavailable",
              `${who} (${executors} live executor${executors === 1 ? "" : "s"}; the project's timeout_seconds plus DRY_RUN_WAIT_SECONDS=${deps.waitSeconds}); it is withdrawn`,
              { live_executors: executors, wait_seconds: waitSeconds },
            );
          }
          const answer = waited.answer as ExecutorAnswer;
          switch (answer.kind) {
            case "ran":
              return { json: answer.answer };
            case "project_missing":
              throw new AppError(
                "not_found",
                `project "${params.id}" does not exist`,
              );
            case "invalid_input":
              throw new AppError(
                "validation_failed",
                `invalid request body: ${answer.path}: ${answer.message}`,
                [{ path: answer.path, message: answer.message }],
              );
            case "error":
              throw new AppError(
                "unavailable",
                `the executor could not run the dry run: ${answer.message}`,
              );
          }
        } finally {
          res.off("close", onClose);
          release();
        }
      },
    }),
  ];
}
