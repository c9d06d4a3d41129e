import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import Handlebars from "handlebars";
import { exportsDetectStream } from "./check-rule-code.js";
import { ruleFileName } from "./rule-file-name.js";
import { TEMPLATE_VERSION, type TemplateSet } from "./template-files.js";
import type { RuleSource } from "./types.js";

export interface RenderOptions {
  dir: string;
  hash: string;
  /** Already sorted (see sortRules). */
  rules: readonly RuleSource[];
  dataSourceType: string;
  templates: TemplateSet;
}

/**
 * Values the .hbs templates see. Only generated, safe values: the hash, numbers, the data
 * source type (checked by the caller) and generated file names. Rule code, ids and parameters
 * never pass through Handlebars; they go to rules/*.mjs verbatim and to manifest.json through
 * JSON.stringify.
 */
interface TemplateData {
  hash: string;
  templateVersion: number;
  dataSourceType: string;
  ruleCount: number;
  ruleFiles: string[];
}

const handlebars = Handlebars.create();

async function writeDetectorFile(
  dir: string,
  path: string,
  content: string,
): Promise<void> {
  const target = join(dir, path);
  await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  // World-readable: the runner may start the detector as another uid (e.g. nobody).
  await writeFile(target, content, { mode: 0o644 });
}

function buildManifest(options: RenderOptions, ruleFiles: string[]): string {
  const rules = options.rules.map((rule, index) => ({
    ruleId: rule.ruleId,
    definitionId: rule.definitionId,
    file: ruleFiles[index],
    // the runtime reads every row before any rule runs unless every rule streams them
    ...(exportsDetectStream(rule.code) ? { stream: true } : {}),
    parameters: rule.parameters,
    severity: rule.severity,
    category: rule.category,
    description: rule.description,
  }));
  const manifest = {
    v: 1,
    templateVersion: TEMPLATE_VERSION,
    hash: options.hash,
    dataSourceType: options.dataSourceType,
    rules,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Writes a complete detector project into `dir` (an empty folder the caller owns). */
export async function renderDetector(options: RenderOptions): Promise<void> {
  const ruleFiles = options.rules.map((rule, index) =>
    ruleFileName(index, rule.ruleId),
  );
  const data: TemplateData = {
    hash: options.hash,
    templateVersion: TEMPLATE_VERSION,
    dataSourceType: options.dataSourceType,
    ruleCount: options.rules.length,
    ruleFiles,
  };
  for (const file of options.templates.files) {
    const isTemplate = file.path.endsWith(".hbs");
    const content = isTemplate
      ? handlebars.compile(file.content, { strict: true })(data)
      : file.content;
    await writeDetectorFile(
      options.dir,
      isTemplate ? file.path.slice(0, -".hbs".length) : file.path,
      content,
    );
  }
  for (const [index, rule] of options.rules.entries()) {
    // Verbatim, no header: line and column numbers in a rule's stack traces match its source.
    await writeDetectorFile(
      options.dir,
      ruleFiles[index] ?? ruleFileName(index, rule.ruleId),
      rule.code,
    );
  }
  await writeDetectorFile(
    options.dir,
    "manifest.json",
    buildManifest(options, ruleFiles),
  );
  await chmod(options.dir, 0o755);
}
