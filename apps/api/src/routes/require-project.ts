import { getProject, type Db } from "@vigil/db";

import { notFound } from "../http/app-error.js";

/** The project, or a 404 that names it: the first step of every route under /projects/{id}/. */
export async function requireProject(db: Db, id: string) {
  const project = await getProject(db, id);
  if (project === undefined) {
    throw notFound(`project "${id}"`);
  }
  return project;
}
