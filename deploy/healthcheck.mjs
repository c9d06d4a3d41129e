// The image's HEALTHCHECK: GET /health of whichever app this container runs. The app is read
// from PID 1's command line (tini -- node apps/<app>/dist/main.js), so one image-wide check
// fits every app; its port is PORT (api) or METRICS_PORT (the others) when set, else the
// app's default. Exit 0 when /health answers 2xx within 4 s, 1 otherwise.
import { readFileSync } from "node:fs";

const DEFAULT_PORTS = {
  api: 8080,
  "trigger-creator": 9091,
  executor: 9092,
  cleaner: 9093,
};

function appOfPid1() {
  try {
    const argv = readFileSync("/proc/1/cmdline", "utf8").split("\0");
    const entry = argv.find((a) => /apps\/[a-z-]+\/dist\/main\.js$/.test(a));
    return entry?.match(/apps\/([a-z-]+)\//)?.[1];
  } catch {
    return undefined;
  }
}

const app = appOfPid1();
// eslint-disable-next-line no-restricted-properties -- a separate process, not an app: the container environment is its only input
const envPort = app === "api" ? process.env.PORT : process.env.METRICS_PORT;
const port = Number(envPort || DEFAULT_PORTS[app] || 8080);
if (!Number.isInteger(port) || port <= 0) {
  // METRICS_PORT=0 picks a free port nobody outside the process knows: nothing to check
  console.error(`healthcheck: no fixed port for ${app ?? "this process"}`);
  process.exit(1);
}
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) })
  .then((res) => process.exit(res.ok ? 0 : 1))
  .catch((err) => {
    console.error(`healthcheck: ${err.message}`);
    process.exit(1);
  });
