import {
  CronPreviewRequestSchema,
  CronPreviewResponseSchema,
} from "@vigil/contracts";
import { nextFireTimes } from "@vigil/scheduling";

import { assertNoIssues, scheduleIssues } from "../write-checks.js";
import { defineRoute, type RouteDef } from "./route.js";

/** `2026-03-29T03:00:00+02:00`: the wall-clock time in `timeZone` with its UTC offset. */
export function formatLocal(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "longOffset",
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? "";
  const offset = get("timeZoneName").replace(/^GMT/, "") || "+00:00";
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}:${get("second")}${offset}`;
}

/** Previews fire times with the trigger-creator's own validator and calculator. */
export function cronRoutes(): RouteDef[] {
  return [
    defineRoute({
      method: "post",
      path: "/cron/preview",
      tag: "schedules",
      // computes fire times and changes nothing: a read, though its input is a body
      access: "read",
      summary:
        "The next N fire times of a cron expression in a timezone, from now or a given instant (e.g. across a coming DST change)",
      bodyKind: "json",
      body: CronPreviewRequestSchema,
      responses: {
        200: { description: "Fire times", schema: CronPreviewResponseSchema },
      },
      audit: { none: "computes fire times; changes nothing" },
      handler: ({ body }) => {
        assertNoIssues(scheduleIssues(body, ""), []);
        const after =
          body.after === undefined ? new Date() : new Date(body.after);
        const times = nextFireTimes({
          cron: body.cron_expression,
          timezone: body.timezone,
          after,
          count: body.count,
        });
        return {
          json: {
            cron_expression: body.cron_expression,
            timezone: body.timezone,
            after: after.toISOString(),
            fire_times: times.map((t) => ({
              at: t.toISOString(),
              local: formatLocal(t, body.timezone),
            })),
          },
        };
      },
    }),
  ];
}
