import { ENV_VARS, type EnvVar } from "./env-vars.js";

export const ENV_TABLE_START =
  "<!-- env-table:start (generated from ENV_VARS in @vigil/config; do not edit by hand) -->";
export const ENV_TABLE_END = "<!-- env-table:end -->";

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

/** The env table as Markdown, one row per variable, in ENV_VARS order. */
export function renderEnvTable(
  variables: readonly EnvVar[] = ENV_VARS,
): string {
  const rows = variables.map((variable) => {
    const meaning =
      variable.secret === undefined
        ? variable.meaning
        : `${variable.meaning} Secret: redacted from logs.`;
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
 * Replaces the text between the env-table markers in `markdown` with `table`.
 * Returns undefined when the document has no markers (so callers can skip it).
 */
export function replaceEnvTable(
  markdown: string,
  table: string = renderEnvTable(),
): string | undefined {
  const start = markdown.indexOf(ENV_TABLE_START);
  const end = markdown.indexOf(ENV_TABLE_END);
  if (start === -1 || end === -1 || end < start) {
    return undefined;
  }
  return `${markdown.slice(0, start + ENV_TABLE_START.length)}\n${table}\n${markdown.slice(end)}`;
}
