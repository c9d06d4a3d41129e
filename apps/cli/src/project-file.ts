import { readFile } from "node:fs/promises";

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

/**
 * Reads projects from a YAML (or JSON) file: one project per document, or documents with a
 * `projects:` list. Reports every problem in every project, each with where it is.
 */
export async function readProjectFile(
  file: string,
): Promise<ProjectFileResult> {
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
