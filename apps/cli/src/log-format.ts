const LEVEL_NAMES: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};
const NOISE = new Set(["level", "time", "pid", "hostname", "name", "msg", "v"]);
const COLORS: Record<string, string> = {
  warn: "\x1b[33m",
  error: "\x1b[31m",
  fatal: "\x1b[31m",
  debug: "\x1b[90m",
  trace: "\x1b[90m",
};
const RESET = "\x1b[0m";

/**
 * Turns one pino JSON line into `HH:MM:SS level  message  key=value ...` for `npm start`'s
 * terminal. Lines that are not JSON (a crash trace, PostgreSQL's own log) pass through.
 */
export function formatLogLine(line: string, color: boolean): string {
  if (!line.startsWith("{")) {
    return line;
  }
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const rawLevel = entry.level;
  const level =
    typeof rawLevel === "number"
      ? (LEVEL_NAMES[rawLevel] ?? String(rawLevel))
      : typeof rawLevel === "string"
        ? rawLevel
        : "info";
  const time =
    typeof entry.time === "string"
      ? entry.time.slice(11, 19)
      : new Date(Number(entry.time ?? Date.now())).toISOString().slice(11, 19);
  const fields = Object.entries(entry)
    .filter(([k]) => !NOISE.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  const levelText = level.padEnd(5);
  const coloredLevel =
    color && COLORS[level] ? `${COLORS[level]}${levelText}${RESET}` : levelText;
  return `${time} ${coloredLevel} ${typeof entry.msg === "string" ? entry.msg : ""}${fields ? `  ${fields}` : ""}`;
}
