/**
 * Signals a whole process group. The child is spawned `detached` (its own session and group,
 * pgid = pid), so `-pid` reaches it and every descendant that did not leave the group.
 * ESRCH (already gone) is the normal case after exit; EPERM cannot happen for a parent running
 * as root or as the child's uid, and is ignored rather than thrown for the same reason.
 */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Nothing left to signal.
  }
}

export interface GroupTerminator {
  /** SIGTERM now, SIGKILL after the grace period (idempotent). */
  terminate(): void;
  /** SIGKILL now and forget pending timers: used once the direct child has exited. */
  killNow(): void;
  dispose(): void;
}

export function createGroupTerminator(
  pid: number,
  graceMs: number,
): GroupTerminator {
  let killTimer: NodeJS.Timeout | undefined;
  let terminating = false;
  return {
    terminate() {
      if (terminating) {
        return;
      }
      terminating = true;
      signalProcessGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => signalProcessGroup(pid, "SIGKILL"), graceMs);
    },
    killNow() {
      clearTimeout(killTimer);
      signalProcessGroup(pid, "SIGKILL");
    },
    dispose() {
      clearTimeout(killTimer);
    },
  };
}
