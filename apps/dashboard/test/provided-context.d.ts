// The fixtures' inject("databaseUrl") types come from @vigil/db's global-setup.ts, which this
// app's typecheck does not include; interfaces merge, so repeating the keys here is enough.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    templateDatabase: string;
  }
}
