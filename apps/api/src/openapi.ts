import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type RouteConfig,
} from "@asteasolutions/zod-to-openapi";
import { ApiErrorSchema } from "@vigil/contracts";
import type { z } from "zod";

import { nameRecursiveSchemas } from "./openapi-recursive.js";
import type { RouteDef } from "./routes/route.js";

/** `/projects/:id/rules/:ruleId` → `/projects/{id}/rules/{ruleId}`. */
export function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
}

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ApiErrorSchema } },
});

/** The error statuses a route can answer with, from what it declares. */
function errorResponses(route: RouteDef): RouteConfig["responses"] {
  const out: RouteConfig["responses"] = {
    500: errorResponse("Unexpected server error (logged)"),
  };
  if (
    route.query !== undefined ||
    route.params !== undefined ||
    route.bodyKind !== undefined
  ) {
    out[400] = errorResponse(
      "Malformed request: bad path parameter, query string or JSON",
    );
  }
  if (route.access !== "public") {
    out[401] = {
      ...errorResponse(
        "Missing or malformed Authorization header (`unauthorized`), or a token that is not accepted (`invalid_token`)",
      ),
      headers: {
        "WWW-Authenticate": {
          description:
            '`Bearer` when no bearer token was sent; `Bearer error="invalid_token"` when the token is not accepted (RFC 6750)',
          schema: { type: "string" },
        },
      },
    };
  }
  if (route.access !== "public") {
    out[403] = {
      ...errorResponse(
        `A valid token without the scope \`${route.access}\` (\`forbidden\`; the message names the scope)`,
      ),
      headers: {
        "WWW-Authenticate": {
          description: `\`Bearer error="insufficient_scope", scope="${route.access}"\` (RFC 6750)`,
          schema: { type: "string" },
        },
      },
    };
  }
  if (route.method !== "get") {
    out[429] = {
      ...errorResponse(
        "Too many writes from this token or address in the current window (`rate_limited`)",
      ),
      headers: {
        "Retry-After": {
          description: "Seconds until the window resets",
          schema: { type: "integer" },
        },
      },
    };
  }
  if (route.params !== undefined) {
    out[404] = errorResponse("Not found");
  }
  if (route.method !== "get") {
    out[409] = errorResponse(
      "Conflicts with the current state (e.g. the id exists)",
    );
  }
  if (route.bodyKind !== undefined && route.bodyKind !== "none") {
    out[413] = errorResponse("Body larger than the limit");
    out[415] = errorResponse("Wrong Content-Type");
    out[422] = errorResponse(
      "Body does not validate (details lists each problem)",
    );
  }
  if (route.path === "/ready") {
    out[503] = errorResponse("Database unreachable or migrations pending");
  }
  return out;
}

function requestBody(route: RouteDef): RouteConfig["request"] {
  const request: NonNullable<RouteConfig["request"]> = {};
  if (route.params !== undefined) {
    request.params = route.params as z.ZodObject;
  }
  if (route.query !== undefined) {
    request.query = route.query as z.ZodObject;
  }
  if (route.bodyKind === "json" && route.body !== undefined) {
    request.body = {
      required: route.bodyOptional !== true,
      content: { "application/json": { schema: route.body } },
    };
  } else if (route.bodyKind === "upload" && route.uploadDoc !== undefined) {
    request.body = {
      required: true,
      content: Object.fromEntries(
        Object.entries(route.uploadDoc).map(([type, schema]) => [
          type,
          { schema },
        ]),
      ),
    };
  }
  return request;
}

/** OpenAPI 3.1 for exactly the routes the server mounts, from the same zod schemas it validates with. */
export function buildOpenApiDocument(
  routes: readonly RouteDef[],
  info: { version: string; serverUrl?: string | undefined },
) {
  nameRecursiveSchemas(
    routes.flatMap((r) => [
      r.params,
      r.query,
      r.body,
      ...Object.values(r.uploadDoc ?? {}),
      ...Object.values(r.responses).map((d) => d.schema),
    ]),
  );
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent("securitySchemes", "bearerToken", {
    type: "http",
    scheme: "bearer",
    description:
      "A token made by `vigil token create` or POST /tokens (`vgl_...`), or one of API_TOKENS (every scope). Each operation lists the scope it needs; reads need a token only when API_READ_TOKEN_REQUIRED is true.",
  });
  for (const route of routes) {
    const responses: RouteConfig["responses"] = { ...errorResponses(route) };
    for (const [status, doc] of Object.entries(route.responses)) {
      responses[status] =
        doc.schema === undefined
          ? { description: doc.description }
          : {
              description: doc.description,
              content: {
                [doc.contentType ?? "application/json"]: { schema: doc.schema },
              },
            };
    }
    registry.registerPath({
      method: route.method,
      path: toOpenApiPath(route.path),
      operationId: `${route.method}${toOpenApiPath(route.path)
        .replace(/[{}]/g, "")
        .replace(/\/(\w)/g, (_, c: string) => `_${c}`)}`,
      summary: route.summary,
      ...(route.description !== undefined && {
        description: route.description,
      }),
      tags: [route.tag],
      // OpenAPI 3.1 lets a non-OAuth requirement list role names: here the scope
      security:
        route.access === "public" ? [] : [{ [bearer.name]: [route.access] }],
      request: requestBody(route),
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Vigil API",
      version: info.version,
      description:
        "Reads for dashboards and token-protected writes. Every error is `{ error: { code, message, details } }`.",
    },
    ...(info.serverUrl !== undefined && { servers: [{ url: info.serverUrl }] }),
  });
}
