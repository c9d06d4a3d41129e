import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createDb } from "@vigil/db";
import { createLogger } from "@vigil/logger";
import openapiTS, { astToString } from "openapi-typescript";
import { format } from "prettier";

// the API's own builder: the document is the one /openapi.json serves, without a running server
import { createApiServer } from "../../api/src/server.js";

export const SCHEMA_FILE = fileURLToPath(
  new URL("../src/api/schema.d.ts", import.meta.url),
);

const HEADER = `// Generated from the API's /openapi.json by \`npm run api-schema -w @vigil/dashboard\`.
// Do not edit: test/api-schema.test.ts fails when this file differs from the API.
/* eslint-disable -- generated code, checked by the test above instead */
`;

/** The TypeScript types of every API path, as the API's route table documents them. */
export async function renderApiSchema(): Promise<string> {
  // never connected: building the route table and its document touches no database
  const handle = createDb({
    connectionString: "postgres://unused@127.0.0.1:1/unused",
  });
  try {
    const server = createApiServer({
      db: handle.db,
      pool: handle.pool,
      logger: createLogger({ level: "silent", name: "api-schema" }),
      version: "0.0.0",
      tokens: [],
    });
    const ast = await openapiTS(
      server.openapi as unknown as Parameters<typeof openapiTS>[0],
    );
    return format(HEADER + astToString(ast), {
      parser: "typescript",
      filepath: SCHEMA_FILE,
    });
  } finally {
    await handle.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(SCHEMA_FILE, await renderApiSchema());
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
