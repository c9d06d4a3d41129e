// The values the root vitest global setup provides (see packages/db/src/testing/global-setup.ts).
declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    templateDatabase: string;
  }
}
export {};
