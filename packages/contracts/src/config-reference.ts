import { z } from "zod";

import { ProjectInputSchema } from "./entities.js";

/**
 * The project-file reference in docs/first-project.md, rendered from ProjectInputSchema's JSON
 * Schema (zod's own export, input side: what a file may write, with the defaults applied
 * when a field is left out). Descriptions come from the schemas' `.describe()`, so a new or
 * changed field shows up here the next time the reference is regenerated, and the test in
 * config-reference.test.ts fails until it is.
 */

const GENERATED_NOTE =
  "(generated from ProjectInputSchema in @vigil/contracts; do not edit by hand; npm run config-reference -w @vigil/contracts)";
export const CONFIG_REFERENCE_START = `<!-- config-reference:start ${GENERATED_NOTE} -->`;
export const CONFIG_REFERENCE_END = "<!-- config-reference:end -->";

interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  $ref?: string;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

interface Section {
  title: string;
  /** The dotted path of the fields it lists, e.g. `config.data_source.auth`. */
  path: string;
  intro: string;
  schema: JsonSchema;
}

/** A code span that survives backticks and table pipes in its content (GFM). */
function code(text: string): string {
  const escaped = text.replace(/\|/g, "\\|");
  return escaped.includes("`") ? `\`\` ${escaped} \`\`` : `\`${escaped}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n+/g, " ");
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) {
    return `${min} to ${max}`;
  }
  if (min !== undefined) {
    return `at least ${min}`;
  }
  return max !== undefined ? `at most ${max}` : "";
}

/** The variants of a union whose members each fix `type` or `kind` to a constant. */
function discriminated(
  schema: JsonSchema,
): { field: string; variants: Array<[string, JsonSchema]> } | undefined {
  const members = schema.oneOf ?? schema.anyOf;
  if (members === undefined) {
    return undefined;
  }
  for (const field of ["type", "kind"]) {
    const variants = members.map(
      (m) => [m.properties?.[field]?.const, m] as const,
    );
    if (variants.every(([value]) => typeof value === "string")) {
      return {
        field,
        variants: variants.map(([value, m]) => [value as string, m]),
      };
    }
  }
  return undefined;
}

function describeType(
  schema: JsonSchema,
  anchorOf: (variant?: string) => string,
): string {
  if (schema.$ref !== undefined) {
    return "any JSON value";
  }
  if (schema.const !== undefined) {
    return code(JSON.stringify(schema.const));
  }
  if (schema.enum !== undefined) {
    return `one of ${schema.enum.map((v) => code(JSON.stringify(v))).join(", ")}`;
  }
  const union = discriminated(schema);
  if (union !== undefined) {
    return `object, by ${code(union.field)}: ${union.variants
      .map(([value]) => anchorOf(value))
      .join(", ")}`;
  }
  const members = schema.oneOf ?? schema.anyOf;
  if (members !== undefined) {
    return members.map((m) => describeType(m, anchorOf)).join(", or ");
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 1) {
    return types.join(" or ");
  }
  const parts: string[] = [];
  switch (schema.type) {
    case "string": {
      parts.push("string");
      if (schema.format === "uri") {
        parts.push("a URL");
      }
      if (schema.format === "duration") {
        parts.push(
          "an ISO 8601 duration such as `PT1H`, `P1D` (no years or months)",
        );
      }
      const length = range(schema.minLength, schema.maxLength);
      if (length !== "") {
        parts.push(`${length} characters`);
      }
      if (schema.pattern !== undefined) {
        parts.push(`matching ${code(schema.pattern)}`);
      }
      break;
    }
    case "integer":
    case "number": {
      parts.push(schema.type);
      const bounds = range(schema.minimum, schema.maximum);
      if (bounds !== "") {
        parts.push(bounds);
      }
      break;
    }
    case "array": {
      const items =
        schema.items === undefined
          ? "values"
          : describeType(schema.items, anchorOf);
      parts.push(`list of ${items}`);
      const count = range(schema.minItems, schema.maxItems);
      if (count !== "") {
        parts.push(`${count} items`);
      }
      break;
    }
    case "object": {
      if (schema.properties !== undefined) {
        parts.push(`object (${anchorOf()})`);
      } else {
        const value =
          typeof schema.additionalProperties === "object"
            ? describeType(schema.additionalProperties, anchorOf)
            : "any value";
        const key =
          schema.propertyNames?.pattern !== undefined
            ? `names matching ${code(schema.propertyNames.pattern)}`
            : "names";
        parts.push(`map of ${key} to ${value}`);
      }
      break;
    }
    default:
      parts.push(types[0] ?? "any value");
  }
  return parts.join(", ");
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
}

function link(title: string, text: string): string {
  return `[${text}](#${slug(title)})`;
}

function renderSection(section: Section, queue: Section[]): string {
  const { schema } = section;
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties ?? {}).map(([name, field]) => {
    const path = section.path === "" ? name : `${section.path}.${name}`;
    const target = field.type === "array" ? field.items : field;
    const union = target === undefined ? undefined : discriminated(target);
    const titles = new Map<string, string>();
    if (union !== undefined) {
      for (const [value, variant] of union.variants) {
        const title = `${path} (${union.field}: ${value})`;
        titles.set(value, title);
        queue.push({
          title,
          path,
          intro: `${code(path)} with ${code(`${union.field}: ${value}`)}.`,
          schema: variant,
        });
      }
    } else if (target?.type === "object" && target.properties !== undefined) {
      const title = field.type === "array" ? `${path}[]` : path;
      titles.set("", title);
      queue.push({
        title,
        path: title,
        intro:
          field.type === "array"
            ? `Each item of ${code(path)}.`
            : `The ${code(path)} object.`,
        schema: target,
      });
    }
    const anchorOf = (variant?: string) => {
      const title = titles.get(variant ?? "");
      const text = variant === undefined ? "see below" : code(variant);
      if (title === undefined) {
        return text;
      }
      return variant === undefined
        ? `see ${link(title, title)}`
        : link(title, text);
    };
    const type = describeType(field, anchorOf);
    const presence = required.has(name)
      ? "required"
      : field.default !== undefined
        ? code(JSON.stringify(field.default))
        : "unset";
    return `| ${code(name)} | ${type} | ${presence} | ${cell(field.description ?? "")} |`;
  });
  return [
    `#### ${section.title}`,
    "",
    section.intro,
    "",
    "| Field | Type | Default | Description |",
    "| --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** The reference as Markdown: one table per object, from the project down. */
export function renderConfigReference(): string {
  const root = z.toJSONSchema(ProjectInputSchema, {
    io: "input",
    unrepresentable: "any",
  }) as JsonSchema;
  const queue: Section[] = [
    {
      title: "project",
      path: "",
      intro:
        "A project document (one YAML document, an item of `projects:`, or the body of `POST /projects`).",
      schema: root,
    },
  ];
  const out: string[] = [];
  for (let section = queue.shift(); section; section = queue.shift()) {
    out.push(renderSection(section, queue));
  }
  return out.join("\n\n");
}

/**
 * Replaces what is between the config-reference markers with the rendered reference.
 * Undefined when the markers are missing, so a caller can say so instead of writing nothing.
 */
export function replaceConfigReference(markdown: string): string | undefined {
  const start = markdown.indexOf(CONFIG_REFERENCE_START);
  if (start === -1) {
    return undefined;
  }
  const startEnd = start + CONFIG_REFERENCE_START.length;
  const end = markdown.indexOf(CONFIG_REFERENCE_END, startEnd);
  if (end === -1) {
    return undefined;
  }
  return `${markdown.slice(0, startEnd)}\n\n${renderConfigReference()}\n\n${markdown.slice(end)}`;
}
