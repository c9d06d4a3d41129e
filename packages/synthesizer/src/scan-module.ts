import type { Node, Program } from "acorn";

export interface ScannedImport {
  specifier: string;
  line: number;
  column: number;
}

export interface ModuleProblem {
  message: string;
  line: number;
  column: number;
}

export interface ModuleScan {
  imports: ScannedImport[];
  problems: ModuleProblem[];
  exportsDetect: boolean;
  /** `detectStream(rows, params, ctx)`, called with an async iterable of rows instead. */
  exportsDetectStream: boolean;
  hasDefaultExport: boolean;
}

type AnyNode = Node & Record<string, unknown>;

function isNode(value: unknown): value is AnyNode {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { type?: unknown }).type === "string"
  );
}

/** Every node of the tree, depth first (acorn has no walker without acorn-walk). */
function* walk(node: AnyNode): Generator<AnyNode> {
  yield node;
  for (const key of Object.keys(node)) {
    if (key === "loc") {
      continue;
    }
    const child = node[key];
    if (Array.isArray(child)) {
      for (const item of child) {
        if (isNode(item)) {
          yield* walk(item);
        }
      }
    } else if (isNode(child)) {
      yield* walk(child);
    }
  }
}

function position(node: Node): { line: number; column: number } {
  // acorn columns are 0-based; editors and humans count from 1.
  return {
    line: node.loc?.start.line ?? 1,
    column: (node.loc?.start.column ?? 0) + 1,
  };
}

/** The string a `Literal` or expression-free template literal stands for, else null. */
function staticString(node: unknown): string | null {
  if (!isNode(node)) {
    return null;
  }
  if (node.type === "Literal" && typeof node["value"] === "string") {
    return node["value"];
  }
  const quasis = node["quasis"] as
    Array<{ value: { cooked: string | null } }> | undefined;
  const expressions = node["expressions"] as unknown[] | undefined;
  if (
    node.type === "TemplateLiteral" &&
    expressions?.length === 0 &&
    quasis?.length === 1
  ) {
    return quasis[0]?.value.cooked ?? null;
  }
  return null;
}

function exportedName(node: unknown): string | null {
  if (!isNode(node)) {
    return null;
  }
  return node.type === "Identifier"
    ? (node["name"] as string)
    : staticString(node);
}

/** Initializers that can never be a function, by what they are called in a message. */
const NOT_A_FUNCTION: Record<string, string> = {
  Literal: "a literal",
  TemplateLiteral: "a string",
  ObjectExpression: "an object",
  ArrayExpression: "an array",
  ClassExpression: "a class (detect is called, not constructed)",
  UnaryExpression: "a primitive value",
  BinaryExpression: "a primitive value",
};

/** Why `export const detect = <init>` can never be callable, or null when it may be. */
function nonFunctionDetect(
  node: AnyNode,
  name: DetectName,
): ModuleProblem | null {
  const declaration = node["declaration"];
  // `let` and `var` may be assigned a function later; only a `const` is settled here
  if (
    !isNode(declaration) ||
    declaration.type !== "VariableDeclaration" ||
    declaration["kind"] !== "const"
  ) {
    return null;
  }
  for (const d of declaration["declarations"] as AnyNode[]) {
    if (exportedName(d["id"]) !== name) {
      continue;
    }
    const init = d["init"];
    const what = isNode(init) ? NOT_A_FUNCTION[init.type] : undefined;
    if (what !== undefined) {
      return {
        message: `${name} must be a function, e.g. export function ${name}(rows, params, ctx) { ... }; here it is ${what}`,
        ...position(d),
      };
    }
  }
  return null;
}

type DetectName = "detect" | "detectStream";

function declaresDetect(node: AnyNode, name: DetectName): boolean {
  const declaration = node["declaration"];
  if (isNode(declaration)) {
    if (declaration.type === "FunctionDeclaration") {
      return exportedName(declaration["id"]) === name;
    }
    if (declaration.type === "VariableDeclaration") {
      return (declaration["declarations"] as AnyNode[]).some(
        (d) => exportedName(d["id"]) === name,
      );
    }
  }
  const specifiers = (node["specifiers"] as AnyNode[] | undefined) ?? [];
  return specifiers.some((s) => exportedName(s["exported"]) === name);
}

/** Imports, export of `detect`, and constructs rule modules cannot use, from a parsed module. */
export function scanModule(program: Program): ModuleScan {
  const scan: ModuleScan = {
    imports: [],
    problems: [],
    exportsDetect: false,
    exportsDetectStream: false,
    hasDefaultExport: false,
  };
  for (const statement of program.body as unknown as AnyNode[]) {
    for (const name of ["detect", "detectStream"] as const) {
      if (
        statement.type === "ExportNamedDeclaration" &&
        declaresDetect(statement, name)
      ) {
        if (name === "detect") {
          scan.exportsDetect = true;
        } else {
          scan.exportsDetectStream = true;
        }
        const problem = nonFunctionDetect(statement, name);
        if (problem !== null) {
          scan.problems.push(problem);
        }
      }
    }
    if (statement.type === "ExportDefaultDeclaration") {
      scan.hasDefaultExport = true;
    }
  }
  for (const node of walk(program as unknown as AnyNode)) {
    const isStaticImport =
      node.type === "ImportDeclaration" ||
      node.type === "ExportAllDeclaration" ||
      node.type === "ExportNamedDeclaration";
    if (isStaticImport && isNode(node["source"])) {
      scan.imports.push({
        specifier: staticString(node["source"]) ?? "",
        ...position(node),
      });
    } else if (node.type === "ImportExpression") {
      const specifier = staticString(node["source"]);
      if (specifier === null) {
        scan.problems.push({
          message:
            "import() with a computed specifier cannot be checked; import a fixed name",
          ...position(node),
        });
      } else {
        scan.imports.push({ specifier, ...position(node) });
      }
    } else if (
      node.type === "CallExpression" &&
      exportedName(node["callee"]) === "require"
    ) {
      scan.problems.push({
        message:
          "require() is not available in rule modules (they are ES modules); use import",
        ...position(node),
      });
    }
  }
  return scan;
}
