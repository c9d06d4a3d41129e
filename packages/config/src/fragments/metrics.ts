import { envInteger } from "../kinds/integer.js";
import { envString } from "../kinds/string.js";

/**
 * Where a worker app (trigger-creator, executor, cleaner) serves /health, /ready and
 * /metrics. Unset METRICS_PORT means the app's own default (9091, 9092, 9093), fixed so
 * that manifests, compose and the image's healthcheck agree without configuration.
 */
export const metricsEnv = {
  METRICS_PORT: envInteger({ min: 0, max: 65_535 }).optional(),
  METRICS_HOST: envString({
    pattern: /^[A-Za-z0-9.:[\]-]+$/,
    patternHint: "a host name or IP address",
  }).default("0.0.0.0"),
};
