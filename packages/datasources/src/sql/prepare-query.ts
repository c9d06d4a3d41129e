import {
  convertNamedParameters,
  type SqlDataSource,
  type SqlDialect,
} from "@vigil/contracts";

import { LoadAbort } from "../result.js";

/**
 * The source's query with its named parameters (`:start`/`:end` from the window, the rest from
 * `params`) turned into the driver's positional ones; a trailing `;` is dropped. Throws a
 * `config` LoadAbort for an unknown or malformed parameter.
 */
export function prepareQuery(
  source: SqlDataSource,
  window: { start: Date; end: Date },
  dialect: SqlDialect,
): { text: string; values: unknown[] } {
  const converted = convertNamedParameters(
    source.query.replace(/[\s;]+$/, ""),
    { ...source.params, start: window.start, end: window.end },
    dialect,
  );
  if (!converted.ok) {
    throw new LoadAbort("config", converted.message);
  }
  return converted;
}
