import {
  DiscrepancyBulkTriageResponseSchema,
  DiscrepancyBulkTriageSchema,
  DiscrepancyDetailResponseSchema,
  DiscrepancyListQuerySchema,
  DiscrepancyListResponseSchema,
  DiscrepancyParamsSchema,
  DiscrepancySchema,
  DiscrepancyTriageSchema,
} from "@vigil/contracts";
import {
  applyTriage,
  getDiscrepancyDetail,
  listProjectDiscrepancies,
  listTriageStates,
  type Db,
  type DiscrepancyListPosition,
  type DiscrepancyStatus,
  type Severity,
  type TriageChange,
} from "@vigil/db";
import type { z } from "zod";

import type { ApiDeps } from "../deps.js";
import { replyJson } from "../audit/spec.js";
import { AppError, notFound } from "../http/app-error.js";
import {
  decodeCursor,
  encodeCursor,
  invalidCursor,
  keysetPage,
} from "../http/cursor.js";
import { ProjectParamsSchema } from "./params.js";
import { requireProject } from "./require-project.js";
import { defineRoute, type RouteDef } from "./route.js";

const HOUR_MS = 3600 * 1000;
const EVENTS_LIMIT = 500;
const SEEN_IN_LIMIT = 100;

/** A discrepancy list position as an opaque cursor: `<attention>.<last seen, µs>.<fingerprint>`. */
function positionCursor(p: DiscrepancyListPosition): string {
  return encodeCursor("d", `${p.attention}.${p.seenMicros}.${p.fingerprint}`);
}

function cursorPosition(cursor: string): DiscrepancyListPosition {
  const m = /^(\d{1,3})\.(\d{1,19})\.([0-9a-f]{64})$/.exec(
    decodeCursor("d", cursor),
  );
  if (m === null) {
    throw invalidCursor();
  }
  return { attention: Number(m[1]), seenMicros: m[2]!, fingerprint: m[3]! };
}

type TriageBody = z.output<typeof DiscrepancyTriageSchema>;

function triageChange(body: TriageBody): TriageChange {
  return {
    status: body.status,
    reason: body.reason ?? null,
    ...(body.muted_until !== undefined && {
      mutedUntil: new Date(body.muted_until),
    }),
    ...(body.assignee !== undefined && { assignee: body.assignee }),
    ...(body.note !== undefined && { note: body.note }),
  };
}

/** The triage, or the 404 / 409 that says which discrepancy stood in its way; nothing changes then. */
async function triage(
  db: Db,
  o: {
    projectId: string;
    fingerprints: readonly string[];
    body: TriageBody;
    actor: string;
  },
) {
  const result = await applyTriage(db, {
    projectId: o.projectId,
    fingerprints: o.fingerprints,
    change: triageChange(o.body),
    actor: o.actor,
  });
  if (result.kind === "missing") {
    await requireProject(db, o.projectId);
    const [first] = result.fingerprints;
    throw new AppError(
      "not_found",
      `discrepancy ${first} of project "${o.projectId}" does not exist` +
        (result.fingerprints.length > 1
          ? ` (nor ${result.fingerprints.length - 1} more: see details)`
          : ""),
      { fingerprints: result.fingerprints },
    );
  }
  if (result.kind === "refused") {
    const [first] = result.conflicts;
    throw new AppError(
      "conflict",
      `discrepancy ${first!.fingerprint} is ${first!.status}: it cannot be set to ${o.body.status}` +
        (result.conflicts.length > 1
          ? ` (nor ${result.conflicts.length - 1} more: see details)`
          : ""),
      { conflicts: result.conflicts },
    );
  }
  return result.rows;
}

/** What runs found and people decided: the list that needs attention first, one discrepancy's history, triage. */
export function discrepancyRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "get",
      path: "/projects/:id/discrepancies",
      tag: "discrepancies",
      access: "read",
      summary:
        "A project's discrepancies, what needs attention first: regressions, open, acknowledged, muted, then resolved and expired (those of the last resolved_within_hours); within each the most severe, then the most recently seen",
      params: ProjectParamsSchema,
      query: DiscrepancyListQuerySchema,
      responses: {
        200: {
          description: "A page of discrepancies",
          schema: DiscrepancyListResponseSchema,
        },
      },
      handler: async ({ params, query }) => {
        const after =
          query.cursor === undefined ? undefined : cursorPosition(query.cursor);
        const rows = await listProjectDiscrepancies(deps.readDb, {
          projectId: params.id,
          closedSince: new Date(
            Date.now() - query.resolved_within_hours * HOUR_MS,
          ),
          limit: query.limit + 1,
          ...(after !== undefined && { after }),
          ...(query.status !== undefined && {
            statuses: query.status.split(",") as DiscrepancyStatus[],
          }),
          ...(query.severity !== undefined && {
            severities: query.severity.split(",") as Severity[],
          }),
          ...(query.rule_id !== undefined && { ruleId: query.rule_id }),
          ...(query.assignee !== undefined && { assignee: query.assignee }),
        });
        if (rows.length === 0 && after === undefined) {
          await requireProject(deps.readDb, params.id);
        }
        const page = keysetPage(rows, query.limit, (last) =>
          positionCursor(last.position),
        );
        return {
          json: {
            items: page.items.map(({ position: _p, ...d }) => d),
            next_cursor: page.next_cursor,
            truncated: page.next_cursor !== null,
          },
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/projects/:id/discrepancies/:fingerprint",
      tag: "discrepancies",
      access: "read",
      summary: `One discrepancy, every change of its state (who, when, from, to, why, in which execution; the first ${EVENTS_LIMIT}), and the executions that found it (the newest ${SEEN_IN_LIMIT})`,
      params: DiscrepancyParamsSchema,
      responses: {
        200: {
          description: "The discrepancy and its history",
          schema: DiscrepancyDetailResponseSchema,
        },
      },
      handler: async ({ params }) => {
        const detail = await getDiscrepancyDetail(deps.readDb, {
          projectId: params.id,
          fingerprint: params.fingerprint,
          eventsLimit: EVENTS_LIMIT,
          seenInLimit: SEEN_IN_LIMIT,
        });
        if (detail === undefined) {
          await requireProject(deps.readDb, params.id);
          throw notFound(
            `discrepancy ${params.fingerprint} of project "${params.id}"`,
          );
        }
        const events = detail.events.map(
          ({ project_id: _p, fingerprint: _f, ...e }) => e,
        );
        return { json: { ...detail, events } };
      },
    }),
    defineRoute({
      method: "patch",
      path: "/projects/:id/discrepancies/:fingerprint",
      tag: "discrepancies",
      access: "triage",
      summary:
        "Triage one discrepancy: acknowledge (with an assignee and a note), mute until an instant (with a reason), resolve by hand (with a reason), or open it again; one event records who, when and why",
      description:
        "Allowed from: acknowledged and muted from open, acknowledged or muted; resolved from open, acknowledged or muted; open from acknowledged, muted, resolved or expired. Anything else is a 409 naming the current status. A muted discrepancy is still evaluated by every run and opens again when its mute ends and it still fails; a resolved one found again is reopened as a regression.",
      params: DiscrepancyParamsSchema,
      bodyKind: "json",
      body: DiscrepancyTriageSchema,
      responses: {
        200: { description: "The discrepancy now", schema: DiscrepancySchema },
        409: { description: "It may not move to that status from its own" },
      },
      audit: {
        action: "discrepancy.triage",
        target: ({ params }) =>
          `discrepancy:${params.id}/${params.fingerprint}`,
        scope: ({ params }) => params.id,
        before: async ({ db, params }) =>
          (await listTriageStates(db, params.id, [params.fingerprint]))[0] ??
          null,
        after: (_ctx, reply) => replyJson(reply),
      },
      handler: async ({ params, body, caller, db }) => {
        const [row] = await triage(db, {
          projectId: params.id,
          fingerprints: [params.fingerprint],
          body,
          actor: caller ?? "anonymous",
        });
        return { json: row };
      },
    }),
    defineRoute({
      method: "patch",
      path: "/projects/:id/discrepancies",
      tag: "discrepancies",
      access: "triage",
      summary:
        "Triage many discrepancies with one change, in one transaction: every one of them changes, or none does (a missing one is a 404, one that may not move a 409, each naming them)",
      params: ProjectParamsSchema,
      bodyKind: "json",
      body: DiscrepancyBulkTriageSchema,
      responses: {
        200: {
          description: "The discrepancies now, in the order given",
          schema: DiscrepancyBulkTriageResponseSchema,
        },
        409: { description: "One of them may not move to that status" },
      },
      audit: {
        action: "discrepancy.triage_bulk",
        target: ({ params }) => `project:${params.id}`,
        scope: ({ params }) => params.id,
        before: async ({ db, params, body }) =>
          listTriageStates(db, params.id, body.fingerprints),
        after: (_ctx, reply) => replyJson(reply),
      },
      handler: async ({ params, body, caller, db }) => {
        const { fingerprints, ...change } = body;
        const rows = await triage(db, {
          projectId: params.id,
          fingerprints,
          body: change,
          actor: caller ?? "anonymous",
        });
        return { json: { items: rows } };
      },
    }),
  ];
}
