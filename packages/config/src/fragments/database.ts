import { envInteger } from "../kinds/integer.js";
import { envPostgresUrl } from "../kinds/url.js";

/** The database every app connects to. Required: `npm start` sets it for the apps it spawns. */
export const databaseEnv = {
  DATABASE_URL: envPostgresUrl(),
  DATABASE_POOL_SIZE: envInteger({ min: 1, max: 100 }).default(10),
};

/**
 * The CLI's variant: `vigil start` boots the embedded PostgreSQL when DATABASE_URL is
 * unset, and `vigil migrate` and friends require it themselves.
 */
export const optionalDatabaseEnv = {
  ...databaseEnv,
  DATABASE_URL: envPostgresUrl().optional(),
};
