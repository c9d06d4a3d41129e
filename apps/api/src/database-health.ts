import type { DatabaseHealthSchema } from "@vigil/contracts";
import {
  getRecoveryState,
  readDatabaseHealth,
  type DatabaseHealth,
  type RecoveryState,
} from "@vigil/db";
import type { z } from "zod";

import type { ApiDeps } from "./deps.js";

/** Requests to /status within this time share one round of catalog reads. */
const HEALTH_TTL_MS = 1000;

type DatabaseHealthJson = z.infer<typeof DatabaseHealthSchema>;

/**
 * /status' `database` section: the primary's tables, transactions and standbys, and, with
 * DATABASE_READ_URL, what the read connection is on. Cached briefly so a dashboard polling
 * from many tabs costs one round; a failed round is not cached.
 */
export function createDatabaseHealthReader(
  deps: Pick<ApiDeps, "db" | "readDb" | "readPool">,
): () => Promise<DatabaseHealthJson> {
  let cached: { at: number; value: Promise<DatabaseHealthJson> } | undefined;
  return () => {
    if (cached === undefined || Date.now() - cached.at > HEALTH_TTL_MS) {
      const readPool = deps.readPool;
      const value = Promise.all([
        readDatabaseHealth(deps.db),
        readPool === undefined ? undefined : getRecoveryState(deps.readDb),
      ]).then(([health, recovery]) => toJson(health, recovery, readPool));
      value.catch(() => (cached = undefined));
      cached = { at: Date.now(), value };
    }
    return cached.value;
  };
}

function toJson(
  h: DatabaseHealth,
  recovery: RecoveryState | undefined,
  readPool: ApiDeps["readPool"],
): DatabaseHealthJson {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    tables: h.tables.map(({ last_autovacuum_age_seconds: _age, ...t }) => ({
      ...t,
      last_autovacuum: iso(t.last_autovacuum),
      last_autoanalyze: iso(t.last_autoanalyze),
      last_vacuum: iso(t.last_vacuum),
      last_analyze: iso(t.last_analyze),
    })),
    oldest_transaction: {
      age_seconds: h.transactions.oldest_transaction_seconds,
      application_name: h.transactions.oldest_transaction_application,
      state: h.transactions.oldest_transaction_state,
    },
    frozen_xid_age: h.transactions.frozen_xid_age,
    replicas: h.replicas,
    read_replica:
      recovery === undefined || readPool === undefined
        ? null
        : {
            ...recovery,
            pool: {
              total: readPool.totalCount,
              idle: readPool.idleCount,
              waiting: readPool.waitingCount,
            },
          },
  };
}
