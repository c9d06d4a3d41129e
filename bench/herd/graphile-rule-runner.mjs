// Spawned by graphile-worker's task once per job: `{rows, params}` on stdin, findings on stdout.
import { detect } from "./rule.mjs";

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const { rows, params } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
process.stdout.write(JSON.stringify(detect(rows, params)));
