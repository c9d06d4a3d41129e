import { envInteger } from "../kinds/integer.js";
import { envString } from "../kinds/string.js";

/**
 * `npm start` (vigil start) with no DATABASE_URL. 54329 sits next to PostgreSQL's 5432
 * so it is recognisable, but outside the ranges other local databases usually take.
 */
export const embeddedEnv = {
  VIGIL_PG_PORT: envInteger({ min: 1024, max: 65_535 }).default(54_329),
  VIGIL_DATA_DIR: envString().default(".vigil"),
};
