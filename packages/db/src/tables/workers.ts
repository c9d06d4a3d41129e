import type { Insertable, Selectable, Updateable } from "kysely";

import type {
  CreatedAt,
  JsonObject,
  JsonWithDefault,
  Nullable,
  NullableTimestamp,
  WithDefault,
} from "./common.js";

export type AppName = "api" | "trigger-creator" | "executor" | "cleaner";
export type WorkerStatus = "running" | "stopping" | "stopped" | "dead";

export interface WorkersTable {
  id: string;
  app: AppName;
  hostname: string;
  pid: number;
  version: string;
  status: WithDefault<WorkerStatus>;
  concurrency: Nullable<number>;
  running: WithDefault<number>;
  info: JsonWithDefault<JsonObject>;
  /** The worker holds its session advisory lock (worker-lock.ts): rescue it as soon as the lock is free. */
  presence_lock: WithDefault<boolean>;
  started_at: CreatedAt;
  last_heartbeat_at: CreatedAt;
  stopped_at: NullableTimestamp;
}
export type WorkerRow = Selectable<WorkersTable>;
export type NewWorker = Insertable<WorkersTable>;
export type WorkerUpdate = Updateable<WorkersTable>;
