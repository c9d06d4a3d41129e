// What the global setup hands every test file through vitest's provide/inject. Imported by
// db-test.ts, so any workspace that imports @vigil/db/testing sees these types.
declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the server's maintenance database (to create/drop test databases). */
    databaseUrl: string;
    /** The migrated template every test database is cloned from. */
    templateDatabase: string;
  }
}

export {};
