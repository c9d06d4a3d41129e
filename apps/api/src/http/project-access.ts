import type { Principal } from "./auth.js";

/** Whether the caller may see this project: anonymous reads and unlimited tokens see all. */
export function canSeeProject(
  principal: Principal | null,
  projectId: string,
): boolean {
  return principal?.projects == null || principal.projects.includes(projectId);
}

/**
 * The project filter of a list that spans projects (`?project_id=` optional): a
 * project-limited token sees only its projects, and asking for another one gets the empty
 * answer an absent project would.
 */
export function projectFilter(
  principal: Principal | null,
  requested: string | undefined,
): { projectId?: string; projectIds?: string[] } {
  if (principal?.projects == null) {
    return requested === undefined ? {} : { projectId: requested };
  }
  if (requested === undefined) {
    return { projectIds: principal.projects };
  }
  return principal.projects.includes(requested)
    ? { projectId: requested }
    : { projectIds: [] };
}

/** Routes whose `:id` is a project id: a token limited to other projects gets their 404. */
export function isProjectRoute(path: string): boolean {
  return path === "/projects/:id" || path.startsWith("/projects/:id/");
}
