/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- rendered manifests are untyped YAML trees; the schema models validate them, these tests only read them */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { ENV_VARS } from "@vigil/config";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Service } from "kubernetes-models/v1";
import { parse, parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, test } from "vitest";
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import { promisify } from "node:util";

import { APP_PORTS, type AppWithPort } from "./app-ports.js";
import { type K8sObject, renderKustomization } from "./k8s-render.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BASE = path.join(ROOT, "deploy/k8s/base");
const OVERLAY = path.join(ROOT, "deploy/k8s/overlays/monitoring");
const APPLY_EXAMPLE = path.join(ROOT, "deploy/k8s/examples/apply-job.yaml");

/** The schema model of every kind the manifests may hold; any other kind fails the test. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "batch/v1/Job": Job,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
};

type Any = any;
interface EnvRef {
  container: string;
  name: string;
  secret?: string;
}

const APPS: AppWithPort[] = ["api", "trigger-creator", "executor", "cleaner"];
const EXECUTOR_CAPS = [
  "SYS_ADMIN",
  "SETUID",
  "SETGID",
  "CHOWN",
  "FOWNER",
  "DAC_OVERRIDE",
  "KILL",
];

let base: K8sObject[];
let overlay: K8sObject[];

beforeAll(async () => {
  [base, overlay] = await Promise.all([
    renderKustomization(BASE),
    renderKustomization(OVERLAY),
  ]);
});

function find(objects: K8sObject[], kind: string, name: string): Any {
  const found = objects.find(
    (o) => o.kind === kind && o.metadata.name === name,
  );
  if (!found) {
    throw new Error(`no ${kind} ${name}`);
  }
  return found;
}

const deployment = (app: string) => find(base, "Deployment", `vigil-${app}`);

function envRefs(podSpec: Any): EnvRef[] {
  const containers = [
    ...(podSpec.initContainers ?? []),
    ...podSpec.containers,
  ] as Any[];
  return containers.flatMap((c) =>
    ((c.env ?? []) as Any[]).map((e) => ({
      container: c.name as string,
      name: e.name as string,
      secret: e.valueFrom?.secretKeyRef?.name as string | undefined,
    })),
  );
}

function matches(
  selector: Record<string, string>,
  labels: Record<string, string> = {},
) {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe("Kubernetes manifests", () => {
  test("every object of the base and the monitoring overlay is valid against its schema", () => {
    for (const object of [...base, ...overlay]) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(
        Model,
        `${object.apiVersion} ${object.kind} has no schema here`,
      ).toBeDefined();
      expect(
        () => new Model!(object as never).validate(),
        `${object.kind} ${object.metadata.name}`,
      ).not.toThrow();
    }
    expect(base.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "Deployment/vigil-api",
      "Deployment/vigil-cleaner",
      "Deployment/vigil-executor",
      "Deployment/vigil-trigger-creator",
      "HorizontalPodAutoscaler/vigil-executor",
      "Job/vigil-migrate",
      "NetworkPolicy/vigil-ingress",
      "PodDisruptionBudget/vigil-executor",
      "Service/vigil-api",
      "Service/vigil-metrics",
    ]);
  });

  test("the schema check catches a broken manifest (so a pass means something)", () => {
    const broken = structuredClone(deployment("api"));
    broken.spec.template.spec.containers[0].ports[0].containerPort = "8080";
    expect(() => new Deployment(broken as never).validate()).toThrow(
      /containerPort must be integer/,
    );
  });

  test.each(APPS)(
    "%s: probes hit /ready and /health on the port the app listens on by default",
    (app) => {
      const [container] = deployment(app).spec.template.spec
        .containers as Any[];
      const { variable, port } = APP_PORTS[app];
      const portOf = (probe: Any) => {
        const ref = probe.httpGet.port as string | number;
        const named = (container.ports as Any[]).find((p) => p.name === ref);
        return typeof ref === "number" ? ref : named?.containerPort;
      };
      expect(container.readinessProbe.httpGet.path).toBe("/ready");
      expect(container.livenessProbe.httpGet.path).toBe("/health");
      expect(portOf(container.readinessProbe)).toBe(port);
      expect(portOf(container.livenessProbe)).toBe(port);
      // the manifest names the port too, so a changed default cannot move it silently
      const env = (container.env as Any[]).find((e) => e.name === variable);
      expect(env?.value).toBe(String(port));
      expect(existsSync(path.join(ROOT, container.command[1]))).toBe(true);
      expect(container.command).toEqual(["node", `apps/${app}/dist/main.js`]);
    },
  );

  test("the API's default port in @vigil/config is the one the manifests use", () => {
    expect(ENV_VARS.find((v) => v.name === "PORT")?.default).toBe(
      String(APP_PORTS.api.port),
    );
  });

  test.each(APPS)(
    "%s: waits for migrations, has requests and limits everywhere",
    (app) => {
      const pod = deployment(app).spec.template.spec;
      const [init] = pod.initContainers as Any[];
      expect(init.command.join(" ")).toContain(
        "node apps/cli/dist/main.js migrate --check",
      );
      for (const c of [...pod.initContainers, ...pod.containers] as Any[]) {
        expect(c.resources.requests, c.name).toMatchObject({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect(c.resources.limits, c.name).toMatchObject({
          memory: expect.any(String),
        });
      }
    },
  );

  test.each(["api", "trigger-creator", "cleaner"])(
    "%s runs as a non-root user with no capabilities and no privilege escalation",
    (app) => {
      const pod = deployment(app).spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of [...pod.initContainers, ...pod.containers] as Any[]) {
        expect(c.securityContext, c.name).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(c.securityContext.capabilities.add).toBeUndefined();
      }
    },
  );

  test("the executor holds exactly the capabilities bwrap needs, and AppArmor is unconfined", () => {
    const pod = deployment("executor").spec.template.spec;
    const [executor] = pod.containers as Any[];
    expect(executor.securityContext.runAsUser).toBe(0);
    expect(executor.securityContext.capabilities.drop).toEqual(["ALL"]);
    expect([...executor.securityContext.capabilities.add].sort()).toEqual(
      [...EXECUTOR_CAPS].sort(),
    );
    expect(executor.securityContext.capabilities.add).not.toContain(
      "SYS_RESOURCE",
    );
    expect(executor.securityContext.privileged).toBeUndefined();
    expect(executor.securityContext.appArmorProfile).toEqual({
      type: "Unconfined",
    });
    expect(pod.securityContext.seccompProfile).toEqual({
      type: "RuntimeDefault",
    });
    // the init container is not the executor: it runs unprivileged
    expect(pod.initContainers[0].securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(30);
  });

  test("the api requires a token for reads too", () => {
    const env = deployment("api").spec.template.spec.containers[0].env as {
      name: string;
      value?: string;
    }[];
    expect(env).toContainEqual({
      name: "API_READ_TOKEN_REQUIRED",
      value: "true",
    });
  });

  test("secrets reach only the containers that use them", () => {
    for (const app of APPS) {
      const refs = envRefs(deployment(app).spec.template.spec);
      const containers = new Set(refs.map((r) => r.container));
      for (const container of containers) {
        expect(refs, `${app}/${container}`).toContainEqual({
          container,
          name: "DATABASE_URL",
          secret: "vigil-database",
        });
      }
      const names = refs.map((r) => r.name);
      expect(names.includes("API_TOKENS"), app).toBe(app === "api");
      expect(
        names.some((n) => n.startsWith("REPORT_")),
        app,
      ).toBe(app === "executor");
      expect(
        refs.every((r) => r.name !== "API_TOKENS" || r.container === "api"),
      ).toBe(true);
      expect(
        deployment(app).spec.template.spec.containers[0].envFrom,
      ).toBeUndefined();
    }
    const job = find(base, "Job", "vigil-migrate");
    expect(envRefs(job.spec.template.spec).map((r) => r.name)).toEqual([
      "DATABASE_URL",
    ]);
    expect(job.spec.template.spec.containers[0].command).toEqual([
      "node",
      "apps/cli/dist/main.js",
      "migrate",
    ]);
  });

  test("the HPA and PDB target the executors; Services select pods and name real ports", () => {
    const executorPod = deployment("executor").spec.template;
    const hpa = find(base, "HorizontalPodAutoscaler", "vigil-executor");
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "vigil-executor",
    });
    expect(hpa.spec.metrics[0].resource.name).toBe("cpu");
    expect(deployment("executor").spec.replicas).toBeUndefined();
    const pdb = find(base, "PodDisruptionBudget", "vigil-executor");
    expect(
      matches(pdb.spec.selector.matchLabels, executorPod.metadata.labels),
    ).toBe(true);

    const pods = APPS.map((app) => deployment(app).spec.template);
    for (const name of ["vigil-api", "vigil-metrics"]) {
      const service = find(base, "Service", name);
      const selected = pods.filter((p) =>
        matches(service.spec.selector, p.metadata.labels),
      );
      expect(selected.length, name).toBeGreaterThan(0);
      for (const port of service.spec.ports as Any[]) {
        const named = selected.filter((p) =>
          (p.spec.containers as Any[]).some((c) =>
            (c.ports as Any[]).some((cp) => cp.name === port.targetPort),
          ),
        );
        expect(named.length, `${name}:${port.targetPort}`).toBeGreaterThan(0);
      }
    }
    // every app's metrics are reachable through vigil-metrics: the api on http, the rest on metrics
    const metricsPorts = pods.map(
      (p) => (p.spec.containers[0].ports as Any[])[0].name as string,
    );
    expect(metricsPorts).toEqual(["http", "metrics", "metrics", "metrics"]);
  });

  test("the NetworkPolicy admits only the API port and the metrics ports", () => {
    const policy = find(base, "NetworkPolicy", "vigil-ingress");
    expect(policy.spec.policyTypes).toEqual(["Ingress"]);
    const ports = (policy.spec.ingress as Any[]).flatMap((r) =>
      (r.ports as Any[]).map((p) => p.port as string),
    );
    expect(ports.sort()).toEqual(["http", "metrics"]);
  });

  test("the overlay scrapes every app and scales executors on the oldest due lag", () => {
    const monitor = find(overlay, "ServiceMonitor", "vigil");
    const service = find(overlay, "Service", "vigil-metrics");
    expect(
      matches(monitor.spec.selector.matchLabels, service.metadata.labels),
    ).toBe(true);
    expect(
      (monitor.spec.endpoints as Any[]).map((e) => [e.port, e.path]),
    ).toEqual([
      ["http", "/metrics"],
      ["metrics", "/metrics"],
    ]);
    const servicePorts = (service.spec.ports as Any[]).map((p) => p.name);
    for (const e of monitor.spec.endpoints as Any[]) {
      expect(servicePorts).toContain(e.port);
    }

    const hpa = find(overlay, "HorizontalPodAutoscaler", "vigil-executor");
    expect(hpa.spec.scaleTargetRef.name).toBe("vigil-executor");
    expect((hpa.spec.metrics as Any[]).map((m) => m.type)).toEqual([
      "Resource",
      "External",
    ]);
    expect(hpa.spec.metrics[1].external.metric.name).toBe(
      "vigil_oldest_due_lag_seconds",
    );
    const adapter = find(
      overlay,
      "ConfigMap",
      "vigil-prometheus-adapter-rules",
    );
    const rules: Any = parse(adapter.data["config.yaml"]);
    expect(rules.externalRules[0].name.as).toBe("vigil_oldest_due_lag_seconds");
    // the overlay changes nothing else of the base
    expect(find(overlay, "Deployment", "vigil-executor")).toEqual(
      deployment("executor"),
    );
  });

  test("the apply example is valid, and its project file passes `vigil validate`", async () => {
    const docs = parseAllDocuments(readFileSync(APPLY_EXAMPLE, "utf8")).map(
      (d) => d.toJS() as K8sObject,
    );
    for (const object of docs) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(() => new Model!(object as never).validate()).not.toThrow();
    }
    const configMap = find(docs, "ConfigMap", "vigil-projects");
    const job = find(docs, "Job", "vigil-apply");
    const [container] = job.spec.template.spec.containers;
    expect(container.command).toEqual([
      "node",
      "apps/cli/dist/main.js",
      "apply",
      "-f",
      "/projects/projects.yaml",
    ]);
    const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-apply-example-"));
    await writeFile(
      path.join(dir, "projects.yaml"),
      configMap.data["projects.yaml"],
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        path.join(ROOT, "apps/cli/dist/main.js"),
        "validate",
        "-f",
        path.join(dir, "projects.yaml"),
      ],
      { env: { PATH: process.env.PATH } },
    );
    expect(stdout).toContain("inventory-check");
  });
});
