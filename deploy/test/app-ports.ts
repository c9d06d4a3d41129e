/**
 * Where each long-running app serves /health, /ready and /metrics by default: the API on
 * PORT, the others on METRICS_PORT (defaults fixed across apps so that manifests, compose and
 * the image's healthcheck agree; deploy/healthcheck.mjs repeats them).
 */
export const APP_PORTS = {
  api: { variable: "PORT", port: 8080 },
  "trigger-creator": { variable: "METRICS_PORT", port: 9091 },
  executor: { variable: "METRICS_PORT", port: 9092 },
  cleaner: { variable: "METRICS_PORT", port: 9093 },
} as const;

export type AppWithPort = keyof typeof APP_PORTS;
