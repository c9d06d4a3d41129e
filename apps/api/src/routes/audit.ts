import {
  AuditListQuerySchema,
  AuditListResponseSchema,
} from "@vigil/contracts";
import { listAuditEvents, type AuditEventRow } from "@vigil/db";

import type { ApiDeps } from "../deps.js";
import { decodeIdCursor, encodeCursor, keysetPage } from "../http/cursor.js";
import { defineRoute, type RouteDef } from "./route.js";

const toEvent = (r: AuditEventRow) => ({
  ...r,
  at: new Date(r.at).toISOString(),
});

/** The audit trail, read-only: every write through the API and `vigil apply`. */
export function auditRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "get",
      path: "/audit",
      tag: "audit",
      // who changed what is an operator's question; admin tokens see every project
      access: "admin",
      summary:
        "Audit events newest first, filtered by exact target, actor and action, with keyset pagination",
      query: AuditListQuerySchema,
      responses: {
        200: {
          description: "A page of audit events",
          schema: AuditListResponseSchema,
        },
      },
      handler: async ({ query }) => {
        const rows = await listAuditEvents(deps.readDb, {
          limit: query.limit + 1,
          ...(query.target !== undefined && { target: query.target }),
          ...(query.actor !== undefined && { actor: query.actor }),
          ...(query.action !== undefined && { action: query.action }),
          ...(query.cursor !== undefined && {
            beforeId: decodeIdCursor(query.cursor, "a"),
          }),
        });
        const page = keysetPage(rows, query.limit, (last) =>
          encodeCursor("a", last.id),
        );
        return { json: { ...page, items: page.items.map(toEvent) } };
      },
    }),
  ];
}
