import createClient from "openapi-fetch";

import type { components, paths } from "./schema.js";
import { storedToken } from "./token.js";

export type Schemas = components["schemas"];

/** Where the API is: the origin that served the dashboard (the API serves it at /ui). */
export const api = createClient<paths>({ baseUrl: window.location.origin });

// Once this tab has a token every call carries it, so an API that requires a token for
// reads too (API_READ_TOKEN_REQUIRED=true) works after one prompt; with reads open it is
// ignored on reads.
api.use({
  onRequest({ request }) {
    const token = storedToken();
    if (token !== null && !request.headers.has("authorization")) {
      request.headers.set("authorization", `Bearer ${token}`);
    }
    return request;
  },
});

/** An answer that was not 2xx, with the API's error code and message when it sent one. */
export class ApiCallError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The body of a 2xx answer; anything else becomes an ApiCallError naming what the API said. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) {
    return data;
  }
  const body = (error ?? {}) as { error?: { code?: string; message?: string } };
  throw new ApiCallError(
    response.status,
    body.error?.code,
    body.error?.message ?? `${response.status} ${response.statusText}`,
  );
}
