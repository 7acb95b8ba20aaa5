// What finding the server needs from the machine (serverCommand.ts decides): PATH lookups, whether a Python
// can import gptls and which version it is, the Python extension's interpreter.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import * as vscode from "vscode";
import { type Environment, findOnPath } from "./serverCommand";

export function nodeEnvironment(): Environment {
  const isExecutable = async (path: string) => {
    try {
      await access(path, constants.X_OK);
      return (await stat(path)).isFile();
    } catch {
      return false;
    }
  };
  return {
    which: (name) => findOnPath(name, process.env.PATH, isExecutable),
    isExecutable,
    canImportGptls: (python) =>
      new Promise((resolve) => {
        execFile(python, ["-c", "import gptls"], { timeout: 15000 }, (error) => resolve(!error));
      }),
    pythonVersion: (python) =>
      new Promise((resolve) => {
        const script = "import sys; print(sys.version_info[0], sys.version_info[1])";
        execFile(python, ["-I", "-c", script], { timeout: 15000 }, (error, stdout) => {
          const [major, minor] = String(stdout).trim().split(" ").map(Number);
          resolve(error || !Number.isInteger(major) || !Number.isInteger(minor) ? undefined : [major, minor]);
        });
      }),
    pythonExtensionInterpreter: async () => {
      const python = vscode.extensions.getExtension("ms-python.python");
      if (!python) {
        return undefined;
      }
      try {
        const api = python.isActive ? python.exports : await python.activate();
        return api?.environments?.getActiveEnvironmentPath?.()?.path;
      } catch {
        return undefined;
      }
    },
  };
}
