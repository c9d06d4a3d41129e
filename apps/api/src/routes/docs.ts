import swaggerUi from "swagger-ui-express";
import { z } from "zod";

import { defineRoute, type RouteDef } from "./route.js";

/** Swagger UI's page with its assets under /docs/ (its template links them relatively). */
const docsHtml = swaggerUi.generateHTML(undefined).replaceAll('"./', '"/docs/');

/** Swagger UI's assets and its init script, which loads /openapi.json. Mounted after the routes. */
export const docsAssets = swaggerUi.serveFiles(undefined, {
  swaggerUrl: "/openapi.json",
});

/** The OpenAPI document and the Swagger UI that renders it. */
export function docsRoutes(getDocument: () => unknown): RouteDef[] {
  return [
    defineRoute({
      method: "get",
      path: "/openapi.json",
      tag: "system",
      access: "public",
      summary: "This API's OpenAPI 3.1 document",
      responses: {
        200: {
          description: "OpenAPI 3.1",
          schema: z.record(z.string(), z.unknown()),
        },
      },
      handler: () => ({ json: getDocument() }),
    }),
    defineRoute({
      method: "get",
      path: "/docs",
      tag: "system",
      access: "public",
      summary: "Swagger UI for this API",
      responses: {
        200: {
          description: "HTML page",
          schema: z.string(),
          contentType: "text/html",
        },
      },
      handler: ({ res }) => {
        res.type("html").send(docsHtml);
        return { handled: true };
      },
    }),
  ];
}
