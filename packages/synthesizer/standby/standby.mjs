// Written by @vigil/synthesizer from standby/standby.mjs into WORK_DIR/.runtime/<digest>/; DO NOT EDIT.
//
// A detector process started before its run is known (a "standby"): the executor spawns it in
// the sandbox of an executor slot, it loads the runtime below, then blocks reading the nonce
// from stdin. To run it, the executor links the detector's manifest.json and rules into
// <slot>/detector/, writes the run's input into <slot>/run/, writes the nonce and closes stdin;
// from there it is exactly `node main.mjs <run folder>` (runtime/run-detector.mjs). Node's boot
// and the runtime's imports happen while the slot is idle, not while a run waits.
//
// Usage: node standby.mjs <slot folder>/run   (argv[2] is the run folder, as for main.mjs)
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { runDetector } from "./runtime/run-detector.mjs";

const runDir = process.argv[2];
if (typeof runDir !== "string" || runDir === "") {
  process.stderr.write(
    "vigil detector: usage: node standby.mjs <slot folder>/run\n",
  );
  process.exit(2);
}
await runDetector({
  detectorUrl: pathToFileURL(join(dirname(runDir), "detector") + "/"),
  runDirArg: runDir,
});
