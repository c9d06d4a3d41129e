import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

const TICKS_PER_SECOND = Number(
  execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim(),
);

export interface ProcessCpu {
  /** utime + stime of the process itself, ms. */
  selfMs: number;
  /** cutime + cstime: its children that exited and were waited for, ms. */
  reapedChildrenMs: number;
}

interface Stat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // the command name (field 2) may hold spaces and parentheses: split after its last ")"
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const field = (n: number) => Number(fields[n - 3]);
  return {
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
  };
}

const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;

export function readProcessCpu(pid: number): ProcessCpu {
  const s = readStat(pid);
  if (!s) {
    throw new Error(`process ${pid} is gone`);
  }
  return {
    selfMs: ms(s.utime + s.stime),
    reapedChildrenMs: ms(s.cutime + s.cstime),
  };
}

/**
 * CPU of a whole PostgreSQL server: the postmaster, every live child (backends, walwriter,
 * checkpointer, autovacuum) and, through the postmaster's cutime/cstime, every backend that has
 * already exited. Differences of two readings are the server's CPU between them.
 */
export function readServerCpuMs(postmasterPid: number): number {
  const root = readStat(postmasterPid);
  if (!root) {
    throw new Error(`postmaster ${postmasterPid} is gone`);
  }
  let ticks = root.utime + root.stime + root.cutime + root.cstime;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const s = readStat(Number(entry));
    if (s && s.ppid === postmasterPid) {
      ticks += s.utime + s.stime;
    }
  }
  return ms(ticks);
}

/** The postmaster's pid from `postmaster.pid`, when the server runs on this machine; else undefined. */
export function findPostmasterPid(dataDirectory: string): number | undefined {
  try {
    const first = readFileSync(
      path.join(dataDirectory, "postmaster.pid"),
      "utf8",
    ).split("\n")[0];
    const pid = Number(first);
    return Number.isInteger(pid) && readStat(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}
