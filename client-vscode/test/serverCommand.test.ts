import { mkdtemp, writeFile, chmod, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Environment, findOnPath, isNotFound, resolveServerCommand } from "../src/serverCommand";

function environment(overrides: Partial<Environment> = {}): Environment {
  return {
    which: async () => undefined,
    isExecutable: async () => false,
    canImportGptls: async () => false,
    pythonExtensionInterpreter: async () => undefined,
    ...overrides,
  };
}

describe("resolveServerCommand", () => {
  it("uses gptls.server.path first", async () => {
    const result = await resolveServerCommand(
      { path: "/opt/gptls/bin/gptls", python: "/usr/bin/python3" },
      environment({ isExecutable: async (p) => p === "/opt/gptls/bin/gptls", which: async () => "/usr/bin/gptls" }),
    );
    expect(result).toEqual({ command: "/opt/gptls/bin/gptls", args: [], source: "server.path" });
  });

  it("says so when gptls.server.path is not executable, instead of guessing", async () => {
    const result = await resolveServerCommand({ path: "/nope" }, environment({ which: async () => "/usr/bin/gptls" }));
    expect(isNotFound(result) && result.error).toContain('"/nope"');
  });

  it("runs python -m gptls for gptls.server.python", async () => {
    const result = await resolveServerCommand(
      { python: "/venv/bin/python" },
      environment({ canImportGptls: async (p) => p === "/venv/bin/python" }),
    );
    expect(result).toEqual({ command: "/venv/bin/python", args: ["-m", "gptls"], source: "server.python" });
  });

  it("gives the pip command for that interpreter when gptls is missing from it", async () => {
    const result = await resolveServerCommand({ python: "/venv/bin/python" }, environment());
    expect(isNotFound(result) && result.installHint).toBe('"/venv/bin/python" -m pip install gptls');
  });

  it("then gptls on PATH", async () => {
    const result = await resolveServerCommand({}, environment({ which: async (n) => (n === "gptls" ? "/usr/local/bin/gptls" : undefined) }));
    expect(result).toEqual({ command: "/usr/local/bin/gptls", args: [], source: "PATH" });
  });

  it("then the Python extension's interpreter, if gptls is installed there", async () => {
    const result = await resolveServerCommand(
      {},
      environment({ pythonExtensionInterpreter: async () => "/proj/.venv/bin/python", canImportGptls: async () => true }),
    );
    expect(result).toEqual({ command: "/proj/.venv/bin/python", args: ["-m", "gptls"], source: "python extension" });
  });

  it("otherwise explains how to install gptls", async () => {
    const result = await resolveServerCommand({}, environment());
    expect(isNotFound(result)).toBe(true);
    if (isNotFound(result)) {
      expect(result.error).toContain("not found");
      expect(result.installHint).toBe("python3 -m pip install gptls");
    }
  });
});

describe("findOnPath", () => {
  it("finds the first executable in PATH order", async () => {
    const root = await mkdtemp(join(tmpdir(), "gptls-path-"));
    const [a, b] = [join(root, "a"), join(root, "b")];
    await mkdir(a);
    await mkdir(b);
    await writeFile(join(b, "gptls"), "#!/bin/sh\n");
    await chmod(join(b, "gptls"), 0o755);
    const { access } = await import("node:fs/promises");
    const isExecutable = async (p: string) => access(p, 1).then(() => true, () => false);
    expect(await findOnPath("gptls", `${a}:${b}`, isExecutable, "linux")).toBe(join(b, "gptls"));
    expect(await findOnPath("missing", `${a}:${b}`, isExecutable, "linux")).toBeUndefined();
  });
});
