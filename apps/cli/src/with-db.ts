import { createDb, type Db } from "@vigil/db";

/** Runs `fn` with a one-connection pool on `databaseUrl` that is closed afterwards, whatever happens. */
export async function withDb<T>(
  databaseUrl: string,
  fn: (db: Db) => Promise<T>,
): Promise<T> {
  const handle = createDb({
    connectionString: databaseUrl,
    max: 1,
    applicationName: "vigil-cli",
  });
  try {
    return await fn(handle.db);
  } finally {
    await handle.close();
  }
}
