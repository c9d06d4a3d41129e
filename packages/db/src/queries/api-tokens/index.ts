// The queries of api-tokens/, one statement per file; ../index.ts re-exports them.

export { insertApiToken, type NewApiToken } from "./insert.js";
export { findApiTokenByHash } from "./find-by-hash.js";
export { listApiTokens } from "./list.js";
export { revokeApiToken } from "./revoke.js";
export { touchApiToken } from "./touch.js";
