// The queries of findings/, one statement per file; ../index.ts re-exports them.

export { insertFindings } from "./insert-many.js";
