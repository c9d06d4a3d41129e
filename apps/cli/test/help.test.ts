import { describe, expect, it } from "vitest";

import { COMMANDS } from "../src/help.js";
import { runCli } from "./run-cli.js";

describe("vigil help", () => {
  it("vigil --help lists every command, and says how to get one command's help", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) {
      expect(r.stdout).toContain(c.usage);
    }
    expect(r.stdout).toContain("vigil <command> --help");
  });

  it("vigil COMMAND --help and vigil help COMMAND print that command's usage and options only", async () => {
    for (const args of [
      ["run", "--help"],
      ["help", "run"],
      ["run", "orders", "-h"],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toContain("usage: vigil run PROJECT [--timeout S]");
      expect(r.stdout).toContain("--timeout");
      expect(r.stdout).not.toContain("token create");
    }
    const tokens = await runCli(["help", "token"]);
    expect(tokens.code).toBe(0);
    expect(tokens.stdout).toContain("usage: vigil token create NAME");
    expect(tokens.stdout).toContain("usage: vigil token revoke NAME");
    expect(tokens.stdout).not.toContain("usage: vigil apply");
    const create = await runCli(["token", "create", "--help"]);
    expect(create.stdout).toContain("--scopes");
    expect(create.stdout).not.toContain("usage: vigil token list");
  });

  it("an option the command does not take, or an unknown command, is a usage error (exit 2) naming it", async () => {
    const foreign = await runCli(["apply", "-f", "x.yaml", "--check"]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain("apply does not take --check");
    const unknown = await runCli(["help", "deploy"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "deploy"');
  });
});
