// The keys @vigil/db/testing's global setup provides. Its own declaration lives in
// global-setup.ts, which an app's typecheck does not include; interfaces merge, so this
// stays harmless once @vigil/db/testing declares them where db-test.ts can see them.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    templateDatabase: string;
  }
}
