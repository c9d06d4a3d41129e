import type { Db } from "../../pool.js";
import { listReplicaLag, type ReplicaLag } from "./replication.js";
import { listTableHealth, type TableHealth } from "./table-health.js";
import { getTransactionAges, type TransactionAges } from "./transaction-age.js";

export interface DatabaseHealth {
  tables: TableHealth[];
  transactions: TransactionAges;
  replicas: ReplicaLag[];
}

/** The three health reads of the primary, run at once (catalog and statistics views only). */
export async function readDatabaseHealth(db: Db): Promise<DatabaseHealth> {
  const [tables, transactions, replicas] = await Promise.all([
    listTableHealth(db),
    getTransactionAges(db),
    listReplicaLag(db),
  ]);
  return { tables, transactions, replicas };
}
