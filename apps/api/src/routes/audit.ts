import {
  AuditListQuerySchema,
  AuditListResponseSchema,
} from "@vigil/contracts";
import { listAuditEvents, type AuditEventRow } from "@vigil/db";

import type { ApiDeps } from "../deps.js";
import { decodeIdCursor, encodeCursor } from "../http/cursor.js";
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
        const rows = await listAuditEvents(deps.db, {
          limit: query.limit + 1,
          ...(query.target !== undefined && { target: query.target }),
          ...(query.actor !== undefined && { actor: query.actor }),
          ...(query.action !== undefined && { action: query.action }),
          ...(query.cursor !== undefined && {
            beforeId: decodeIdCursor(query.cursor, "a"),
          }),
        });
        const items = rows.slice(0, query.limit);
        const last = items.at(-1);
        return {
          json: {
            items: items.map(toEvent),
            next_cursor:
              rows.length > query.limit && last !== undefined
                ? encodeCursor("a", last.id)
                : null,
          },
        };
      },
    }),
  ];
}
