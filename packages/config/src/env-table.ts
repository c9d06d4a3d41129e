import type { AppName } from "./fragments/index.js";
import { ENV_VARS, type EnvVar } from "./env-vars.js";

const GENERATED_NOTE =
  "(generated from ENV_VARS in @vigil/config; do not edit by hand)";
/** Marks the table of every variable (the root and this package's README). */
export const ENV_TABLE_START = `<!-- env-table:start ${GENERATED_NOTE} -->`;
export const ENV_TABLE_END = "<!-- env-table:end -->";

/** Marks the table of one app's variables (each app's README). */
export function appEnvTableStart(app: AppName): string {
  return `<!-- env-table:start app=${app} ${GENERATED_NOTE} -->`;
}

const START_PATTERN =
  /<!-- env-table:start (?:app=([a-z-]+) )?\(generated from ENV_VARS in @vigil\/config; do not edit by hand\) -->/;

function describeDefault(variable: EnvVar): string {
  if (variable.required === true) {
    return "required";
  }
  if (variable.computedDefault !== undefined) {
    return variable.computedDefault;
  }
  if (variable.default === undefined) {
    return "unset";
  }
  return variable.default === "" ? "empty" : `\`${variable.default}\``;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** The variables one app reads, in ENV_VARS order. */
export function envVarsOfApp(app: AppName): EnvVar[] {
  return ENV_VARS.filter((variable) => variable.apps.includes(app));
}

/** The env table as Markdown, one row per variable, in ENV_VARS order. */
export function renderEnvTable(
  variables: readonly EnvVar[] = ENV_VARS,
): string {
  const rows = variables.map((variable) => {
    const meaning =
      variable.secret === undefined
        ? variable.meaning
        : `${variable.meaning} Secret: redacted from logs; \`${variable.name}_FILE\` may name a file holding it instead.`;
    const cells = [
      `\`${variable.name}\``,
      describeDefault(variable),
      variable.apps.join(", "),
      meaning,
    ];
    return `| ${cells.map(escapeCell).join(" | ")} |`;
  });
  return [
    "| variable | default | apps | meaning |",
    "| --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/**
 * Replaces the text between the env-table markers in `markdown` with the table they ask
 * for: every variable, or one app's (`app=executor` in the start marker). `table` overrides
 * what is rendered. Returns undefined when the document has no markers (so callers can
 * skip it) or names an app that does not exist.
 */
export function replaceEnvTable(
  markdown: string,
  table?: string,
): string | undefined {
  const match = START_PATTERN.exec(markdown);
  if (match === null) {
    return undefined;
  }
  const startEnd = match.index + match[0].length;
  const end = markdown.indexOf(ENV_TABLE_END, startEnd);
  if (end === -1) {
    return undefined;
  }
  const app = match[1] as AppName | undefined;
  let rendered = table;
  if (rendered === undefined) {
    const variables = app === undefined ? ENV_VARS : envVarsOfApp(app);
    if (variables.length === 0) {
      return undefined;
    }
    rendered = renderEnvTable(variables);
  }
  return `${markdown.slice(0, startEnd)}\n${rendered}\n${markdown.slice(end)}`;
}
