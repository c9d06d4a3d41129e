import { sql, type RawBuilder } from "kysely";

/** 1 (info) .. 5 (critical): "severity went up" and "the most severe first". */
export function severityRank(column: RawBuilder<unknown>) {
  return sql<number>`array_position(ARRAY['info', 'low', 'medium', 'high', 'critical'], ${column})`;
}
