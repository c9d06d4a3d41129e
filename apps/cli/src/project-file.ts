import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

import {
  type ProjectInput,
  type Problem,
  validateProjectInput,
} from "@vigil/contracts";
import { parseAllDocuments } from "yaml";

import { PROJECT_CHECKERS } from "./project-checkers.js";

export interface FileProblem extends Problem {
  project: string;
}

export type ProjectFileResult =
  | { ok: true; projects: ProjectInput[] }
  | { ok: false; problems: FileProblem[] };

const PROJECT_FILE = /\.(ya?ml|json)$/i;

/**
 * Reads projects from a YAML (or JSON) file, or from every `.yaml`/`.yml`/`.json` file of a
 * folder (not its subfolders, in name order): one project per document, or documents with a
 * `projects:` list. Reports every problem in every project, each with where it is; a project id
 * given twice is a problem too.
 */
export async function readProjectFile(
  fileOrDir: string,
): Promise<ProjectFileResult> {
  let files = [fileOrDir];
  try {
    if ((await stat(fileOrDir)).isDirectory()) {
      files = (await readdir(fileOrDir))
        .filter((f) => PROJECT_FILE.test(f))
        .sort()
        .map((f) => path.join(fileOrDir, f));
    }
  } catch {
    // readOneFile names the error
  }
  if (files.length === 0) {
    return {
      ok: false,
      problems: [
        {
          project: fileOrDir,
          path: "(folder)",
          message: "no .yaml, .yml or .json file in this folder",
        },
      ],
    };
  }
  const projects: ProjectInput[] = [];
  const problems: FileProblem[] = [];
  for (const file of files) {
    const result = await readOneFile(file);
    if (result.ok) {
      projects.push(...result.projects);
    } else {
      problems.push(...result.problems);
    }
  }
  const seen = new Set<string>();
  for (const p of projects) {
    if (seen.has(p.id)) {
      problems.push({
        project: p.id,
        path: "id",
        message: `project ${JSON.stringify(p.id)} is defined more than once`,
      });
    }
    seen.add(p.id);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, projects };
}

async function readOneFile(file: string): Promise<ProjectFileResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return {
      ok: false,
      problems: [
        { project: file, path: "(file)", message: (err as Error).message },
      ],
    };
  }
  const raw: unknown[] = [];
  const problems: FileProblem[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        problems.push({
          project: file,
          path: `(yaml line ${e.linePos?.[0]?.line ?? "?"})`,
          message: e.message.split("\n")[0] ?? e.message,
        });
      }
      continue;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) {
      continue;
    }
    if (
      typeof value === "object" &&
      !Array.isArray(value) &&
      "projects" in value &&
      Array.isArray(value.projects)
    ) {
      raw.push(...(value.projects as unknown[]));
    } else {
      raw.push(value);
    }
  }
  const projects: ProjectInput[] = [];
  raw.forEach((candidate, i) => {
    const name =
      typeof candidate === "object" && candidate !== null && "id" in candidate
        ? String(candidate.id)
        : `#${i + 1}`;
    const result = validateProjectInput(candidate, PROJECT_CHECKERS);
    if (result.ok) {
      projects.push(result.project);
    } else {
      problems.push(...result.problems.map((p) => ({ project: name, ...p })));
    }
  });
  if (problems.length === 0 && projects.length === 0) {
    problems.push({
      project: file,
      path: "(file)",
      message: "no project in this file",
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, projects };
}

export function formatProblems(problems: FileProblem[]): string {
  return problems
    .map((p) => `${p.project}: ${p.path}: ${p.message}`)
    .join("\n");
}
