import {
  DeletedResponseSchema,
  RuleInputSchema,
  RulePatchSchema,
  RuleSchema,
} from "@vigil/contracts";
import {
  createRule,
  deleteRule,
  getProjectRule,
  isForeignKeyViolation,
  isUniqueViolation,
  listProjectRules,
  updateRule,
  type JsonObject,
} from "@vigil/db";
import { z } from "zod";

import { ruleState } from "../audit/targets.js";
import type { ApiDeps } from "../deps.js";
import { AppError, notFound } from "../http/app-error.js";
import { assertNoIssues, ruleCodeIssues } from "../write-checks.js";
import { ProjectParamsSchema, RuleParamsSchema } from "./params.js";
import { requireProject } from "./require-project.js";
import { defineRoute, type RouteDef } from "./route.js";

/** A project's rules; code is syntax-checked (and its imports vetted) on every write. */
export function ruleRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "get",
      path: "/projects/:id/rules",
      tag: "rules",
      access: "read",
      summary: "A project's rules with their code",
      params: ProjectParamsSchema,
      responses: { 200: { description: "Rules", schema: z.array(RuleSchema) } },
      handler: async ({ params }) => {
        await requireProject(deps.readDb, params.id);
        return { json: await listProjectRules(deps.readDb, params.id) };
      },
    }),
    defineRoute({
      method: "post",
      path: "/projects/:id/rules",
      tag: "rules",
      access: "write",
      summary:
        "Adds a rule; its code must parse as an ES module exporting detect",
      params: ProjectParamsSchema,
      bodyKind: "json",
      body: RuleInputSchema,
      responses: { 201: { description: "Created", schema: RuleSchema } },
      audit: {
        action: "rule.create",
        target: ({ params, body }) => `rule:${params.id}/${body.rule_id}`,
        scope: ({ params }) => params.id,
        after: ({ db, params, body }) => ruleState(db, params.id, body.rule_id),
      },
      handler: async ({ params, body, db }) => {
        assertNoIssues([], ruleCodeIssues(body.rule_id, body.code, ""));
        await requireProject(db, params.id);
        try {
          const rule = await createRule(db, params.id, {
            ...body,
            parameters: body.parameters as JsonObject,
            dependencies: body.dependencies,
          });
          return { status: 201, json: rule };
        } catch (err) {
          if (isUniqueViolation(err)) {
            throw new AppError(
              "conflict",
              `project "${params.id}" already has a rule "${body.rule_id}"`,
              null,
              { cause: err },
            );
          }
          throw isForeignKeyViolation(err)
            ? notFound(`project "${params.id}"`)
            : err;
        }
      },
    }),
    defineRoute({
      method: "get",
      path: "/projects/:id/rules/:ruleId",
      tag: "rules",
      access: "read",
      summary: "One rule with its code",
      params: RuleParamsSchema,
      responses: { 200: { description: "The rule", schema: RuleSchema } },
      handler: async ({ params }) => {
        const rule = await getProjectRule(
          deps.readDb,
          params.id,
          params.ruleId,
        );
        if (rule === undefined) {
          throw notFound(`rule "${params.ruleId}" of project "${params.id}"`);
        }
        return { json: rule };
      },
    }),
    defineRoute({
      method: "patch",
      path: "/projects/:id/rules/:ruleId",
      tag: "rules",
      access: "write",
      summary: "Changes a rule; new code is checked before it is stored",
      params: RuleParamsSchema,
      bodyKind: "json",
      body: RulePatchSchema,
      responses: { 200: { description: "Changed", schema: RuleSchema } },
      audit: {
        action: "rule.update",
        target: ({ params }) => `rule:${params.id}/${params.ruleId}`,
        scope: ({ params }) => params.id,
        before: ({ db, params }) => ruleState(db, params.id, params.ruleId),
        after: ({ db, params }) => ruleState(db, params.id, params.ruleId),
      },
      handler: async ({ params, body, db }) => {
        assertNoIssues([], ruleCodeIssues(params.ruleId, body.code, ""));
        const { parameters, dependencies, ...rest } = body;
        const rule = await updateRule(db, params.id, params.ruleId, {
          ...rest,
          ...(parameters !== undefined && {
            parameters: parameters as JsonObject,
          }),
          ...(dependencies !== undefined && { dependencies: dependencies }),
        });
        if (rule === undefined) {
          throw notFound(`rule "${params.ruleId}" of project "${params.id}"`);
        }
        return { json: rule };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/projects/:id/rules/:ruleId",
      tag: "rules",
      access: "write",
      summary: "Deletes a rule",
      params: RuleParamsSchema,
      responses: {
        200: { description: "Deleted", schema: DeletedResponseSchema },
      },
      audit: {
        action: "rule.delete",
        target: ({ params }) => `rule:${params.id}/${params.ruleId}`,
        scope: ({ params }) => params.id,
        before: ({ db, params }) => ruleState(db, params.id, params.ruleId),
      },
      handler: async ({ params, db }) => {
        if (!(await deleteRule(db, params.id, params.ruleId))) {
          throw notFound(`rule "${params.ruleId}" of project "${params.id}"`);
        }
        return { json: { deleted: true } };
      },
    }),
  ];
}
