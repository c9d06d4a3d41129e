import {
  promtoolCheckMetrics,
  promtoolMissing,
  promtoolTitle,
} from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { apiTest as test } from "./helpers.js";

describe("the API's /metrics", () => {
  test(
    promtoolTitle("passes promtool check metrics"),
    async ({ api, skip }) => {
      await api.call("GET", "/projects");
      await api.call("GET", "/nope");
      const res = await api.call("GET", "/metrics");
      expect(res.status).toBe(200);
      expect(res.text).toContain(
        'vigil_http_requests_total{method="GET",route="unmatched",status="404"} 1',
      );
      const missing = promtoolMissing();
      if (missing !== undefined) {
        skip(`promtool check metrics not run: ${missing}`);
      }
      const check = await promtoolCheckMetrics(res.text);
      expect(check.output).toBe("");
      expect(check.code).toBe(0);
    },
  );
});
