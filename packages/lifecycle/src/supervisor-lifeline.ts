/**
 * Under `vigil start` (VIGIL_SUPERVISED=1) an app's stdin is a pipe from the supervisor: its
 * end means the supervisor is gone (even if it was killed with SIGKILL), and the app should
 * stop as if it got SIGTERM. Elsewhere (docker, Kubernetes) this does nothing.
 */
export function onSupervisorGone(
  stop: () => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (env.VIGIL_SUPERVISED !== "1") {
    return;
  }
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}
