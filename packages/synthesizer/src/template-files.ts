import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Bump when the runtime's behaviour changes in a way the template files' contents do not show
 * (e.g. a change in how the synthesizer fills them). It is part of every detector hash.
 */
export const TEMPLATE_VERSION = 1;

/**
 * `templates/` sits at the package root; this file is one level below it both as
 * `src/template-files.ts` (tsx, vitest) and as `dist/template-files.js` (built), so the same
 * relative URL works from both.
 */
export const TEMPLATES_DIR = fileURLToPath(
  new URL("../templates/", import.meta.url),
);

export interface TemplateFile {
  /** Path under templates/ with `/` separators, e.g. `runtime/run-rule.mjs` or `main.mjs.hbs`. */
  path: string;
  content: string;
}

export interface TemplateSet {
  files: TemplateFile[];
  /** sha256 over every file's path and content, in path order. */
  digest: string;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

async function loadTemplateSet(dir: string): Promise<TemplateSet> {
  const paths = (await listFiles(dir))
    .map((file) => relative(dir, file).split(sep).join("/"))
    .sort();
  const files = await Promise.all(
    paths.map(async (path) => ({
      path,
      content: await readFile(join(dir, path), "utf8"),
    })),
  );
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(`${file.path}\0${file.content}\0`);
  }
  return { files, digest: hash.digest("hex") };
}

const cache = new Map<string, Promise<TemplateSet>>();

/** The template files, read once per process (they ship with the package and do not change). */
export function readTemplateSet(
  dir: string = TEMPLATES_DIR,
): Promise<TemplateSet> {
  let set = cache.get(dir);
  if (set === undefined) {
    set = loadTemplateSet(dir);
    cache.set(dir, set);
    set.catch(() => cache.delete(dir));
  }
  return set;
}
