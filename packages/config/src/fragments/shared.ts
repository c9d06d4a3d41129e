import { envInteger } from "../kinds/integer.js";
import { envHttpUrl } from "../kinds/url.js";

/**
 * Variables that belong to more than one fragment. Each is defined once here so that
 * spreading two fragments that both carry it (e.g. executor + trigger-creator) yields
 * one schema, not two that disagree.
 */

/** Fallback poll interval when a LISTEN/NOTIFY wake-up is missed. */
export const POLL_INTERVAL_MS = envInteger({ min: 50, max: 600_000 }).default(
  2000,
);

/** Public base URL of the API, used to build links in reports and alerts. */
export const PUBLIC_URL = envHttpUrl().optional();
