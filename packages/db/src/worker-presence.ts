import { randomBytes } from "node:crypto";
import os from "node:os";

import type { Db } from "./pool.js";
import type { JsonObject } from "./tables/common.js";
import type { AppName } from "./tables/workers.js";
import {
  heartbeatWorker,
  setWorkerStatus,
} from "./queries/workers/heartbeat.js";
import { registerWorker } from "./queries/workers/register.js";

export interface WorkerPresenceOptions {
  db: Db;
  app: AppName;
  version: string;
  /** @default `${hostname}-${pid}-${random}` */
  workerId?: string;
  concurrency?: number | null;
  /** The process holds a worker lock (worker-lock.ts) while it runs. */
  presenceLock?: boolean;
  /** @default 5000 */
  intervalMs?: number;
  /** Current load, sent with each heartbeat. */
  sample?: () => { running?: number; info?: JsonObject };
  onError?: (err: unknown) => void;
}

export interface WorkerPresence {
  readonly workerId: string;
  start(): Promise<void>;
  /** Marks the worker stopping: visible in /status while it drains. */
  draining(): Promise<void>;
  stop(): Promise<void>;
}

export function newWorkerId(app: AppName): string {
  return `${app}-${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/**
 * Keeps this process's row in `workers` alive (for /status and for cleaners that mark dead
 * workers). A failed heartbeat is reported and retried on the next tick; it never throws.
 */
export function createWorkerPresence(o: WorkerPresenceOptions): WorkerPresence {
  const workerId = o.workerId ?? newWorkerId(o.app);
  let timer: NodeJS.Timeout | undefined;
  const register = () =>
    registerWorker(o.db, {
      id: workerId,
      app: o.app,
      hostname: os.hostname(),
      pid: process.pid,
      version: o.version,
      concurrency: o.concurrency ?? null,
      presenceLock: o.presenceLock ?? false,
    });
  const beat = async () => {
    try {
      const alive = await heartbeatWorker(o.db, { workerId, ...o.sample?.() });
      if (!alive) {
        await register();
      }
    } catch (err) {
      o.onError?.(err);
    }
  };
  return {
    workerId,
    async start() {
      await register().catch((err: unknown) => o.onError?.(err));
      timer = setInterval(() => void beat(), o.intervalMs ?? 5000);
      timer.unref();
    },
    async draining() {
      await setWorkerStatus(o.db, workerId, "stopping").catch((err: unknown) =>
        o.onError?.(err),
      );
    },
    async stop() {
      clearInterval(timer);
      await setWorkerStatus(o.db, workerId, "stopped").catch((err: unknown) =>
        o.onError?.(err),
      );
    },
  };
}
