import { DryRunRequestSchema, DryRunResponseSchema } from "@vigil/contracts";
import type { DryRunService } from "@vigil/dry-run";
import type { Db } from "@vigil/db";

import { AppError } from "../http/app-error.js";
import type { DryRunSlots } from "../http/dry-run-slots.js";
import { ProjectParamsSchema } from "./params.js";
import { requireProject } from "./require-project.js";
import { defineRoute, type RouteDef } from "./route.js";

export interface DryRunRouteDeps {
  db: Db;
  service: DryRunService;
  slots: DryRunSlots;
}

/** `POST /projects/{id}/dry-run`: the executor's run of the project, recorded nowhere. */
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
        "The detector is synthesized and run in the executor's sandbox, with the project's limits, timeout and import policy. A rule that throws, loops or imports what it may not is answered 200 with its error in `rules` or `outcome`. Without `rows` the project's source is read for `window` (default: a run starting now). Dry runs in flight are limited per token and per API process (429 with Retry-After).",
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
        // the pool, not a request transaction: the plan opens (and rolls back) its own
        await requireProject(deps.db, params.id);
        const release = deps.slots.acquire(caller ?? "anonymous");
        const abort = new AbortController();
        const onClose = () => {
          if (!res.writableFinished) {
            abort.abort("shutdown");
          }
        };
        res.once("close", onClose);
        try {
          const result = await deps.service.run({
            db: deps.db,
            projectId: params.id,
            request: body,
            now: new Date(),
            signal: abort.signal,
          });
          switch (result.kind) {
            case "ran":
              return { json: result.answer };
            case "project_missing":
              throw new AppError(
                "not_found",
                `project "${params.id}" does not exist`,
              );
            case "invalid_input":
              throw new AppError(
                "validation_failed",
                `invalid request body: ${result.path}: ${result.message}`,
                [{ path: result.path, message: result.message }],
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
