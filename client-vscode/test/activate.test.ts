import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("vscode-languageclient/node", () => ({
  LanguageClient: class {},
  ExecuteCommandRequest: { type: "workspace/executeCommand" },
  State: { Stopped: 1, Running: 2, Starting: 3 },
  TransportKind: { stdio: 0 },
}));

import * as vscode from "vscode";
import { activate } from "../src/extension";

const stub = vscode as unknown as typeof import("./vscode-stub");

describe("activation without a server", () => {
  beforeEach(() => {
    stub.calls.errors.length = 0;
    stub.calls.clipboard.length = 0;
    stub.calls.config.clear();
    stub.calls.config.set("server.python", "/definitely/not/python");
  });

  it("says which Python to install (never pip install gptls) and registers every command", async () => {
    await activate(stub.fakeContext() as never);
    expect(stub.calls.errors).toHaveLength(1);
    expect(stub.calls.errors[0]).toContain('gptls.server.python ("/definitely/not/python") is not Python 3.9 or newer');
    expect(stub.calls.errors[0]).toContain("gptls needs Python 3.9 or newer");
    expect(stub.calls.errors[0]).not.toContain("pip install gptls");
    for (const name of ["setApiKey", "clearApiKey", "checkConnection", "showUsage", "showLastRequest", "restartServer", "showLog", "menu"]) {
      expect(stub.calls.commands.has(`gptls.${name}`), name).toBe(true);
    }
    expect(stub.calls.statusTexts.at(-1)).toContain("$(error)");
  });
});
