import { mkdtemp, writeFile, chmod, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Environment, findOnPath, isNotFound, resolveServerCommand } from "../src/serverCommand";

function environment(overrides: Partial<Environment> = {}): Environment {
  return {
    which: async () => undefined,
    isExecutable: async () => false,
    pythonVersion: async () => undefined,
    canImportGptls: async () => false,
    pythonExtensionInterpreter: async () => undefined,
    ...overrides,
  };
}

const LIBS = "/ext/bundled/libs";
const versions: Record<string, [number, number]> = {
  "/usr/bin/python3": [3, 12],
  "/old/python3": [3, 8],
  "/proj/.venv/bin/python": [3, 11],
};
const pythonVersion = async (p: string) => versions[p];

describe("resolveServerCommand", () => {
  it("uses gptls.server.path first", async () => {
    const result = await resolveServerCommand(
      { path: "/opt/gptls/bin/gptls", python: "/usr/bin/python3" },
      LIBS,
      environment({ isExecutable: async (p) => p === "/opt/gptls/bin/gptls", pythonVersion }),
    );
    expect(result).toEqual({ command: "/opt/gptls/bin/gptls", args: [], env: {}, source: "server.path", bundled: false });
  });

  it("says so when gptls.server.path is not executable, instead of guessing", async () => {
    const result = await resolveServerCommand({ path: "/nope" }, LIBS, environment({ pythonVersion }));
    expect(isNotFound(result) && result.error).toContain('"/nope"');
  });

  it("runs the bundled server with gptls.server.python, bundled libraries first on sys.path", async () => {
    const result = await resolveServerCommand({ python: "/usr/bin/python3" }, LIBS, environment({ pythonVersion }));
    expect(result).toEqual({
      command: "/usr/bin/python3",
      args: ["-m", "gptls"],
      env: { PYTHONPATH: LIBS },
      source: "server.python",
      bundled: true,
    });
  });

  it("then the Python extension's interpreter when it is 3.9 or newer", async () => {
    const result = await resolveServerCommand(
      {},
      LIBS,
      environment({ pythonExtensionInterpreter: async () => "/proj/.venv/bin/python", pythonVersion }),
    );
    expect(!isNotFound(result) && [result.command, result.source]).toEqual(["/proj/.venv/bin/python", "python extension"]);
  });

  it("skips an interpreter older than 3.9 and takes python3 on PATH", async () => {
    const result = await resolveServerCommand(
      {},
      LIBS,
      environment({
        pythonExtensionInterpreter: async () => "/old/python3",
        which: async (n) => (n === "python3" ? "/usr/bin/python3" : undefined),
        pythonVersion,
      }),
    );
    expect(!isNotFound(result) && [result.command, result.source, result.bundled]).toEqual([
      "/usr/bin/python3",
      "PATH",
      true,
    ]);
  });

  it("fromEnvironment needs gptls installed in the interpreter", async () => {
    const env = environment({ which: async (n) => (n === "python3" ? "/usr/bin/python3" : undefined), pythonVersion });
    const missing = await resolveServerCommand({ importStrategy: "fromEnvironment" }, LIBS, env);
    expect(isNotFound(missing) && missing.error).toContain('Set it to "useBundled"');
    const found = await resolveServerCommand(
      { importStrategy: "fromEnvironment" },
      LIBS,
      { ...env, canImportGptls: async () => true },
    );
    expect(found).toEqual({ command: "/usr/bin/python3", args: ["-m", "gptls"], env: {}, source: "PATH", bundled: false });
  });

  it("with no Python 3.9 anywhere says what to install, and never suggests pip install gptls", async () => {
    const result = await resolveServerCommand(
      {},
      LIBS,
      environment({ which: async (n) => (n === "python3" ? "/old/python3" : undefined), pythonVersion }),
    );
    expect(isNotFound(result)).toBe(true);
    if (isNotFound(result)) {
      expect(result.error).toContain("No Python 3.9 or newer was found (checked: /old/python3)");
      expect(result.error).toContain("gptls needs Python 3.9 or newer");
      expect(result.error).not.toContain("pip install gptls");
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
