import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";

import type { Logger } from "@vigil/logger";
import {
  DEFAULT_SANDBOX_GID,
  detectSandboxCapabilities,
  nodePermissionFlags,
  prepareSandboxDir,
  prestartSandboxed,
  type PrestartedRun,
  type SandboxCapabilities,
} from "@vigil/runner";
import { prepareStandbyRuntime, slotLayout } from "@vigil/synthesizer";

import {
  DEFAULT_SANDBOX_POLICY,
  type SandboxPolicy,
} from "./sandbox-policy.js";

/** fd 3 is a JSON document per run; 32 MiB holds ~100k findings with room to spare. */
const MAX_RESULT_BYTES = 32 * 1024 * 1024;
/** Built from nothing: nothing of the control plane (DATABASE_URL, tokens, secrets) reaches rule code. */
const DETECTOR_ENV = { NODE_ENV: "production", TZ: "UTC" };

/**
 * Every concurrent run gets a uid of its own: with one shared uid a detector can SIGKILL every
 * other running detector (`process.kill(-1)`). The range depends on this executor's pid, so
 * executors in one pid namespace never share a uid either; executors in different containers
 * may (as they all did with a fixed uid), which is why the runner's `dedicatedUid` sweep is
 * not used.
 */
const SANDBOX_UID_BASE = 1_000_000 + (process.pid % 1_000_000) * 1_000;

export interface DetectorSlot {
  /** `WORK_DIR/.slots/<uid>`: the only folder (besides the shared runtime) its process may read. */
  readonly dir: string;
  /** The run folder of the run in this slot (`<dir>/run`), writable by the slot's uid. */
  readonly runDir: string;
  /** Where the detector's manifest and rules are linked for the run (`<dir>/detector`). */
  readonly detectorDir: string;
  /**
   * The detector process for this run: the slot's standby when it was booted with the same
   * memory cap and is still alive, else one started now. Dispatch it (once).
   */
  process(memoryMb: number): Promise<PrestartedRun>;
}

export interface DetectorSlots {
  take(): Promise<DetectorSlot>;
  /**
   * Gives the slot back once its run folder has been moved away. With `nextMemoryMb` (and
   * prestart on) a standby for the next run boots in the background; the slot is reset first.
   */
  release(slot: DetectorSlot, nextMemoryMb: number | null): void;
  /** Kills every standby and removes the slot folders (on shutdown). */
  close(): Promise<void>;
  /** The slot folders and the standby runtime this executor uses, for WORK_DIR's collector to keep. */
  folders(): string[];
}

interface SlotState extends DetectorSlot {
  uid: number;
  busy: boolean;
  /** Reset and standby boot of the slot, started at release; `take` waits for it. */
  ready: Promise<Error | null>;
  standby?: { memoryMb: number; run: PrestartedRun };
}

/**
 * The executor's detector slots: one folder and one uid per concurrent run, and, with
 * `prestart`, one booted detector process per slot waiting for its next run (a standby). A
 * standby is used once; the next one boots while the slot is idle, so Node's start-up is not
 * on a run's critical path. It is spawned with every limit of a cold start (uid, network
 * namespace, address-space and heap caps, parent-death signal, permission model), and its
 * allow-lists name only the shared runtime folder and the slot, which holds nothing until the
 * run is staged. Only a run whose project asks for a different `memory_mb` than the standby was
 * booted with starts cold.
 */
export function createDetectorSlots(o: {
  workDir: string;
  prestart: boolean;
  /** Extra folders detectors may read (WORK_DIR/node_modules when DETECTOR_PACKAGES is set). */
  extraRead: string[];
  /** @default DEFAULT_SANDBOX_POLICY's caps */
  sandbox?: Pick<SandboxPolicy, "diskMb" | "maxOpenFiles">;
  /** Instead of the detected ones (the benchmark's baseline switches layers off with it). */
  capabilities?: SandboxCapabilities;
  logger: Logger;
}): DetectorSlots {
  const slots: SlotState[] = [];
  const root = path.join(o.workDir, ".slots");
  // after close() a run still finishing frees its slot without recreating it or booting a standby
  let closed = false;
  let runtimeDir: string | undefined;

  const spawn = async (slot: SlotState, memoryMb: number) => {
    const runtime = await prepareStandbyRuntime(o.workDir);
    runtimeDir = runtime.dir;
    const read = [runtime.dir, slot.dir, ...o.extraRead];
    const write = [slot.runDir];
    return prestartSandboxed({
      command: process.execPath,
      args: [
        ...nodePermissionFlags({ read, write }),
        runtime.entry,
        slot.runDir,
      ],
      cwd: slot.dir,
      env: DETECTOR_ENV,
      memoryMb,
      resultChannel: { maxBytes: MAX_RESULT_BYTES },
      ...(o.capabilities ? { capabilities: o.capabilities } : {}),
      // the permission model's allow-lists are also all the mount namespace shows
      sandbox: {
        uid: slot.uid,
        gid: DEFAULT_SANDBOX_GID,
        filesystem: { read, write },
        diskMb: (o.sandbox ?? DEFAULT_SANDBOX_POLICY).diskMb,
        maxOpenFiles: (o.sandbox ?? DEFAULT_SANDBOX_POLICY).maxOpenFiles,
      },
    });
  };

  /** An empty run folder owned by the slot's uid, and no detector staged. */
  const reset = async (slot: SlotState) => {
    await rm(slot.detectorDir, { recursive: true, force: true });
    await rm(slot.runDir, { recursive: true, force: true });
    await mkdir(slot.runDir, { recursive: true, mode: 0o755 });
    await prepareSandboxDir(slot.runDir, await detectSandboxCapabilities(), {
      uid: slot.uid,
      gid: DEFAULT_SANDBOX_GID,
    });
  };

  /** Creates the slot folder and resets it; a failure is returned, for `take` to report. */
  const prepare = async (slot: SlotState): Promise<Error | null> => {
    try {
      await mkdir(slot.dir, { recursive: true, mode: 0o755 });
      await reset(slot);
      return null;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  };

  const discardStandby = async (slot: SlotState) => {
    const standby = slot.standby;
    slot.standby = undefined;
    await standby?.run.discard().catch(() => undefined);
  };

  const createSlot = (index: number): SlotState => {
    const uid = SANDBOX_UID_BASE + index;
    const dir = path.join(root, String(uid));
    const slot: SlotState = {
      uid,
      dir,
      ...slotLayout(dir),
      busy: false,
      ready: Promise.resolve(null),
      async process(memoryMb) {
        const standby = slot.standby;
        if (standby && standby.memoryMb === memoryMb && !standby.run.exited) {
          slot.standby = undefined;
          return standby.run;
        }
        void discardStandby(slot);
        return spawn(slot, memoryMb);
      },
    };
    slot.ready = prepare(slot);
    return slot;
  };

  return {
    async take() {
      let slot = slots.find((s) => !s.busy);
      if (slot === undefined) {
        slot = createSlot(slots.length);
        slots.push(slot);
      }
      slot.busy = true;
      // a failed reset is tried once more before the run is failed with its error
      const problem = (await slot.ready) && (await prepare(slot));
      if (problem) {
        slot.busy = false;
        slot.ready = Promise.resolve(problem);
        throw problem;
      }
      return slot;
    },
    release(handle, nextMemoryMb) {
      const slot = handle as SlotState;
      if (closed) {
        slot.busy = false;
        return;
      }
      slot.ready = (async () => {
        const problem = await prepare(slot);
        const waiting = slot.standby;
        if (
          waiting &&
          (waiting.memoryMb !== nextMemoryMb || waiting.run.exited)
        ) {
          await discardStandby(slot);
        }
        // a run that ended before its dispatch (rows failed, cancelled) leaves its standby unused
        if (
          problem === null &&
          o.prestart &&
          nextMemoryMb !== null &&
          slot.standby === undefined
        ) {
          try {
            slot.standby = {
              memoryMb: nextMemoryMb,
              run: await spawn(slot, nextMemoryMb),
            };
          } catch (err) {
            // the next run of this slot starts its process cold
            o.logger.warn(
              { err, slot: slot.dir },
              "starting a standby detector failed",
            );
          }
        }
        return problem;
      })();
      slot.busy = false;
    },
    folders() {
      return [...slots.map((s) => s.dir), ...(runtimeDir ? [runtimeDir] : [])];
    },
    async close() {
      closed = true;
      await Promise.all(
        slots.map(async (slot) => {
          await slot.ready;
          await discardStandby(slot);
          await rm(slot.dir, { recursive: true, force: true });
        }),
      );
    },
  };
}

/** Moves a finished run's folder out of its slot to where `node main.mjs <run folder>` finds it. */
export async function moveRunFolder(
  slot: DetectorSlot,
  to: string,
): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true, mode: 0o755 });
  await rm(to, { recursive: true, force: true });
  await rename(slot.runDir, to);
}
